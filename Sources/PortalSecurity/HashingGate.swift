import Dispatch
import Foundation

/// Bounds how many scrypt computations run at once across the process.
///
/// Each production hash holds 128 MiB for about half a second, and the HTTP worker pool has four threads
/// per core: a burst of login attempts would otherwise take 128 MiB per worker at the same moment. Beyond
/// one hash per core, more at once buys no throughput (scrypt is CPU- and memory-bandwidth-bound), so
/// callers beyond that wait their turn instead.
final class HashingGate: Sendable {
    /// Shared by every PasswordHasher in the process.
    static let shared = HashingGate(width: ProcessInfo.processInfo.activeProcessorCount)

    let width: Int
    private let semaphore: DispatchSemaphore

    init(width: Int) {
        self.width = max(1, width)
        semaphore = DispatchSemaphore(value: self.width)
    }

    func run<Result>(_ body: () throws -> Result) rethrows -> Result {
        semaphore.wait()
        defer { semaphore.signal() }
        return try body()
    }
}
