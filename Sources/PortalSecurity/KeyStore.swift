import Foundation
import Glibc

/// Finds the master key for SecretBox: `PORTAL_SECRET_KEY` (base64) when set, otherwise the raw 32 bytes in
/// `<data dir>/secret.key`, created on first run with mode 0600.
///
/// Losing this key loses every secret sealed under it, so the file is never replaced once it exists, and a
/// key that looks wrong is refused loudly rather than replaced by a fresh one.
public enum KeyStore {
    /// The environment variable that overrides the key file.
    public static let environmentVariable = "PORTAL_SECRET_KEY"
    /// The key file's name inside the data folder.
    public static let fileName = "secret.key"

    /// Where the key came from, for the start-up log.
    public enum Source: Sendable, Equatable {
        case environment
        case file(path: String)
        /// No key existed; a new one was written here. Worth a line in the log: back this file up.
        case created(path: String)
    }

    /// Why no key could be loaded. Each message says what to fix.
    public enum LoadError: Error, Equatable, Sendable, CustomStringConvertible {
        case environmentNotBase64
        case environmentWrongLength(Int)
        case fileWrongSize(path: String, size: Int64)
        case filePermissionsTooOpen(path: String, mode: UInt32)
        case notARegularFile(path: String)
        case cannotCreateDirectory(path: String, reason: String)
        case system(operation: String, path: String, errno: Int32)

        public var description: String {
            switch self {
            case .environmentNotBase64:
                "\(KeyStore.environmentVariable) is not base64; generate one with `openssl rand -base64 32`"
            case .environmentWrongLength(let length):
                "\(KeyStore.environmentVariable) decodes to \(length) bytes; it must be exactly 32 "
                    + "(`openssl rand -base64 32`)"
            case .fileWrongSize(let path, let size):
                "\(path) is \(size) bytes; a key file holds exactly 32 raw bytes. Restore it from a backup "
                    + "(secrets sealed under another key cannot be read)"
            case .filePermissionsTooOpen(let path, let mode):
                "\(path) has mode \(String(mode & 0o777, radix: 8)); other users must not read the secret key. "
                    + "Run `chmod 600 \(path)`"
            case .notARegularFile(let path):
                "\(path) is not a regular file"
            case .cannotCreateDirectory(let path, let reason):
                "cannot create the data folder \(path): \(reason)"
            case .system(let operation, let path, let code):
                "\(operation) \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// The key and where it came from.
    public static func load(
        dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(LoadError) -> (key: SecretKey, source: Source) {
        // An empty value counts as unset: a compose file passing `${PORTAL_SECRET_KEY}` through from a host
        // that does not define it should fall back to the key file, not fail.
        if let text = environment[environmentVariable], !text.isEmpty {
            do {
                return (try SecretKey(base64: text), .environment)
            } catch .wrongLength(let length) {
                throw .environmentWrongLength(length)
            } catch {
                throw .environmentNotBase64
            }
        }
        let path = (dataDirectory as NSString).appendingPathComponent(fileName)
        if let key = try readKeyFile(path) { return (key, .file(path: path)) }
        try createDirectory(dataDirectory)
        if let key = try createKeyFile(path, directory: dataDirectory) { return (key, .created(path: path)) }
        // Another process created the file between our read and our link: use its key.
        guard let key = try readKeyFile(path) else { throw .system(operation: "read", path: path, errno: ENOENT) }
        return (key, .file(path: path))
    }

    /// The key in `path`, or nil if there is no such file.
    static func readKeyFile(_ path: String) throws(LoadError) -> SecretKey? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .system(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(operation: "stat", path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        guard info.st_mode & 0o077 == 0 else { throw .filePermissionsTooOpen(path: path, mode: info.st_mode) }
        guard info.st_size == SecretKey.length else { throw .fileWrongSize(path: path, size: Int64(info.st_size)) }

        var bytes = [UInt8](repeating: 0, count: SecretKey.length)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { throw .fileWrongSize(path: path, size: Int64(filled)) }
                throw .system(operation: "read", path: path, errno: errno)
            }
            filled += count
        }
        return try? SecretKey(bytes: bytes)
    }

    /// Writes a new random key to `path`, or returns nil if a key file appeared there meanwhile.
    ///
    /// The key is written to a temporary file opened with `O_EXCL` and mode 0600 (never readable by others,
    /// not even for a moment), flushed, and then hard-linked into place. `link` fails if the target exists,
    /// where `rename` would silently replace a key another process created a moment earlier and strand
    /// whatever it had already sealed.
    static func createKeyFile(_ path: String, directory: String) throws(LoadError) -> SecretKey? {
        let key: SecretKey
        let suffix: String
        do {
            key = try SecretKey.generate()
            suffix = try SecureRandom.token(bytes: 9)
        } catch {
            throw .system(operation: "generate key for", path: path, errno: EIO)
        }
        let temporary = (directory as NSString).appendingPathComponent(".\(fileName).\(suffix).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .system(operation: "create", path: temporary, errno: errno) }
        defer { unlink(temporary) }

        var written = 0
        while written < key.bytes.count {
            let count = key.bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let code = errno
                close(fd)
                throw .system(operation: "write", path: temporary, errno: code)
            }
            written += count
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw .system(operation: "fsync", path: temporary, errno: code)
        }
        close(fd)

        if link(temporary, path) != 0 {
            if errno == EEXIST { return nil }
            throw .system(operation: "link", path: path, errno: errno)
        }
        // Make the new directory entry durable too, so a crash cannot lose the key after data was sealed.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
        return key
    }

    private static func createDirectory(_ path: String) throws(LoadError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw .cannotCreateDirectory(path: path, reason: error.localizedDescription)
        }
    }
}
