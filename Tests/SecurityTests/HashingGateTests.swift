import Foundation
import Testing
@testable import PortalSecurity

@Suite struct HashingGateTests {
    /// Eight threads through a gate of width two: never more than two inside at once. Real threads, since
    /// the gate blocks (as the HTTP worker threads that call it may) and Swift's task pool has too few.
    @Test func boundsConcurrency() {
        let gate = HashingGate(width: 2)
        let counter = Counter()
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread {
                gate.run {
                    counter.enter()
                    usleep(50_000)
                    counter.leave()
                }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(counter.peak == 2)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var inside = 0
        private(set) var peak = 0

        func enter() {
            lock.withLock {
                inside += 1
                peak = max(peak, inside)
            }
        }

        func leave() {
            lock.withLock { inside -= 1 }
        }
    }
}
