import Glibc

/// A regular file opened for reading, closed when the last reference goes. A streamed body holds it, so the
/// bytes sent come from the very file whose size and date went into the headers, even if the path is
/// replaced meanwhile.
final class OpenFile: Sendable {
    let descriptor: Int32
    let size: Int64
    let modificationSeconds: Int64
    /// The modification time in nanoseconds since 1970, for the `ETag`.
    let modificationNanoseconds: Int64

    private init(descriptor: Int32, size: Int64, modificationSeconds: Int64, modificationNanoseconds: Int64) {
        self.descriptor = descriptor
        self.size = size
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
    }

    deinit { close(descriptor) }

    /// Opens `path` if it is a regular file. `O_NOFOLLOW` because the path was already resolved: a symlink
    /// appearing there since is refused. `O_NONBLOCK` so that a FIFO swapped in can never block the open;
    /// it is then refused by the regular-file check.
    static func open(_ path: String) -> OpenFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        let seconds = Int64(info.st_mtim.tv_sec)
        return OpenFile(descriptor: fd, size: Int64(info.st_size), modificationSeconds: seconds,
                        modificationNanoseconds: seconds &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec))
    }

    /// Exactly `count` bytes from `offset`, or nil if the file no longer has them.
    func read(offset: Int64, count: Int) -> [UInt8]? {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                let got = pread(descriptor, buffer.baseAddress! + initialized, count - initialized, off_t(offset) + off_t(initialized))
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { failed = true; return }
                initialized += got
            }
        }
        return failed ? nil : bytes
    }

    /// Writes `length` bytes from `offset` in pieces of `pieceSize`; `write` blocks while the client is slow.
    /// Throws if the file shrank meanwhile: the promised `Content-Length` can no longer be kept, and the
    /// connection must be closed rather than padded.
    func stream(offset: Int64, length: Int64, pieceSize: Int, to writer: any BodyWriter) throws {
        var position = offset
        var remaining = length
        while remaining > 0 {
            let count = Int(min(remaining, Int64(pieceSize)))
            guard let piece = read(offset: position, count: count) else {
                throw HTTPError(.internalServerError, "The file changed while it was being sent")
            }
            try writer.write(piece)
            position += Int64(count)
            remaining -= Int64(count)
        }
    }
}
