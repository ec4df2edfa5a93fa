import Foundation
import Glibc
import Testing
@testable import PortalSecurity

@Suite struct KeyStoreTests {
    /// A fresh data folder per test, removed afterwards.
    final class DataFolder {
        let path: String
        var keyPath: String { path + "/secret.key" }

        init() {
            path = NSTemporaryDirectory() + "portal-keystore-" + UUID().uuidString
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        func mode(_ file: String) -> UInt32 {
            var info = stat()
            _ = stat(file, &info)
            return info.st_mode & 0o777
        }

        func write(_ bytes: [UInt8], mode: mode_t) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: keyPath))
            chmod(keyPath, mode)
        }
    }

    @Test func createsKeyFileWithMode0600ThenReloadsIt() throws {
        let folder = DataFolder()
        let first = try KeyStore.load(dataDirectory: folder.path, environment: [:])
        #expect(first.source == .created(path: folder.keyPath))
        #expect(folder.mode(folder.keyPath) == 0o600)
        #expect(try FileManager.default.attributesOfItem(atPath: folder.keyPath)[.size] as? Int == 32)

        let second = try KeyStore.load(dataDirectory: folder.path, environment: [:])
        #expect(second.source == .file(path: folder.keyPath))
        #expect(second.key == first.key)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["secret.key"])
    }

    @Test func keyFromFileOpensWhatWasSealed() throws {
        let folder = DataFolder()
        let sealed = try SecretBox(key: KeyStore.load(dataDirectory: folder.path, environment: [:]).key).encrypt("s")
        let reloaded = SecretBox(key: try KeyStore.load(dataDirectory: folder.path, environment: [:]).key)
        #expect(try reloaded.decryptString(sealed) == "s")
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601] as [mode_t])
    func refusesReadableByOthers(_ mode: mode_t) throws {
        let folder = DataFolder()
        try folder.write(Array(0..<32), mode: mode)
        #expect(throws: KeyStore.LoadError.filePermissionsTooOpen(path: folder.keyPath, mode: UInt32(mode) | UInt32(S_IFREG))) {
            try KeyStore.load(dataDirectory: folder.path, environment: [:])
        }
    }

    @Test(arguments: [0o400, 0o600, 0o700] as [mode_t])
    func acceptsOwnerOnlyModes(_ mode: mode_t) throws {
        let folder = DataFolder()
        try folder.write(Array(0..<32), mode: mode)
        let loaded = try KeyStore.load(dataDirectory: folder.path, environment: [:])
        #expect(loaded.key == (try SecretKey(bytes: Array(0..<32))))
    }

    @Test(arguments: [0, 31, 33, 44])
    func refusesWrongSize(_ size: Int) throws {
        let folder = DataFolder()
        try folder.write([UInt8](repeating: 7, count: size), mode: 0o600)
        #expect(throws: KeyStore.LoadError.fileWrongSize(path: folder.keyPath, size: Int64(size))) {
            try KeyStore.load(dataDirectory: folder.path, environment: [:])
        }
        // The bad file is left for the operator, not replaced.
        #expect(try FileManager.default.attributesOfItem(atPath: folder.keyPath)[.size] as? Int == size)
    }

    @Test func refusesADirectory() throws {
        let folder = DataFolder()
        try FileManager.default.createDirectory(atPath: folder.keyPath, withIntermediateDirectories: true)
        chmod(folder.keyPath, 0o700)
        #expect(throws: KeyStore.LoadError.notARegularFile(path: folder.keyPath)) {
            try KeyStore.load(dataDirectory: folder.path, environment: [:])
        }
    }

    @Test func environmentOverridesFile() throws {
        let folder = DataFolder()
        let fileKey = try KeyStore.load(dataDirectory: folder.path, environment: [:]).key
        let envKey = try SecretKey.generate()
        let loaded = try KeyStore.load(dataDirectory: folder.path, environment: ["PORTAL_SECRET_KEY": envKey.base64 + "\n"])
        #expect(loaded.source == .environment)
        #expect(loaded.key == envKey)
        #expect(loaded.key != fileKey)
    }

    @Test func environmentNeedsNoDataFolder() throws {
        let folder = DataFolder()
        let key = try SecretKey.generate()
        _ = try KeyStore.load(dataDirectory: folder.path, environment: ["PORTAL_SECRET_KEY": key.base64])
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    @Test func environmentAcceptsURLSafeBase64() throws {
        let bytes = [UInt8](repeating: 0xfb, count: 32)
        let text = Base64.encode(bytes, alphabet: .urlSafe, padded: false)
        let loaded = try KeyStore.load(dataDirectory: "/nonexistent", environment: ["PORTAL_SECRET_KEY": text])
        #expect(loaded.key == (try SecretKey(bytes: bytes)))
    }

    @Test func emptyEnvironmentFallsBackToFile() throws {
        let folder = DataFolder()
        let loaded = try KeyStore.load(dataDirectory: folder.path, environment: ["PORTAL_SECRET_KEY": ""])
        #expect(loaded.source == .created(path: folder.keyPath))
    }

    @Test func refusesBadEnvironment() {
        #expect(throws: KeyStore.LoadError.environmentNotBase64) {
            try KeyStore.load(dataDirectory: "/nonexistent", environment: ["PORTAL_SECRET_KEY": "not base64!"])
        }
        #expect(throws: KeyStore.LoadError.environmentWrongLength(16)) {
            try KeyStore.load(dataDirectory: "/nonexistent", environment: ["PORTAL_SECRET_KEY": Base64.encode(Array(0..<16))])
        }
    }

    /// Several processes starting at once on a fresh data folder all end up with the one key on disk.
    @Test func concurrentFirstRunsAgree() async throws {
        let folder = DataFolder()
        let path = folder.path
        let keys = try await withThrowingTaskGroup(of: SecretKey.self) { group in
            for _ in 0..<8 {
                group.addTask { try KeyStore.load(dataDirectory: path, environment: [:]).key }
            }
            return try await group.reduce(into: [SecretKey]()) { $0.append($1) }
        }
        let onDisk = try KeyStore.load(dataDirectory: path, environment: [:]).key
        #expect(keys.allSatisfy { $0 == onDisk })
    }

    @Test func errorMessagesSayWhatToDo() {
        let tooOpen = KeyStore.LoadError.filePermissionsTooOpen(path: "/d/secret.key", mode: 0o100644)
        #expect(tooOpen.description.contains("mode 644"))
        #expect(tooOpen.description.contains("chmod 600 /d/secret.key"))
        #expect(KeyStore.LoadError.environmentWrongLength(16).description.contains("exactly 32"))
    }
}
