import Foundation
import Synchronization
@testable import Store

/// Runs `body` with a fresh temporary folder and removes it afterwards. A closure rather than an object
/// with a deinit, because Swift may release an object after its last use, while files in it are open.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A pool on a new file in `directory`, with a `t (id INTEGER PRIMARY KEY, x)` table.
func makePool(in directory: String, readers: Int = 4) throws -> DatabasePool {
    var configuration = DatabaseConfiguration()
    configuration.readerCount = readers
    let pool = try DatabasePool(path: directory + "/test.sqlite", configuration: configuration)
    try pool.write { db in try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, x)") }
    return pool
}

/// Values gathered from several threads.
final class Collected<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

/// Runs `body(i)` for i in 0..<count, each on its own new thread (not Dispatch's pool, which runs only as
/// many at once as there are cores), and waits for all of them. Errors thrown are returned.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [any Error] {
    let group = DispatchGroup()
    let errors = Collected<any Error>()
    for index in 0..<count {
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            do { try body(index) } catch { errors.append(error) }
        }
    }
    group.wait()
    return errors.values
}

/// Writes a migration file into `directory`.
func writeFile(_ directory: String, _ name: String, _ contents: String) throws {
    try contents.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
}
