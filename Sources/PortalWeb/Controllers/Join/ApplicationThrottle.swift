import PortalCore
import Synchronization

/// Slows down the public application form (each accepted submission writes rows and sends an e-mail): per e-mail
/// address and per client address, with `LoginThrottle`'s rule. Kept in memory — a restart forgets it, which is
/// acceptable for a brake on floods; it is not an audit trail.
final class ApplicationThrottle: Sendable {
    private let rule: LoginThrottle
    private let recent = Mutex<[String: [Int64]]>([:])

    init(perEmail: Int = 3, perAddress: Int = 10, window: Int64 = 15 * 60) {
        var rule = LoginThrottle()
        rule.accountLimit = perEmail
        rule.addressLimit = perAddress
        rule.window = window
        self.rule = rule
    }

    /// Nil when the submission may go ahead (and counts it), else the seconds to wait.
    func admit(email: String, address: String, now: Int64) -> Int64? {
        let emailKey = "e:" + email, addressKey = "a:" + address
        return recent.withLock { recent -> Int64? in
            if case .wait(let seconds) = rule.decide(now: now, accountFailures: recent[emailKey] ?? [], addressFailures: recent[addressKey] ?? []) {
                return seconds
            }
            if recent.count > 10_000 {
                recent = recent.filter { $0.value.contains { $0 > now - rule.window } }
            }
            for key in [emailKey, addressKey] {
                recent[key, default: []].removeAll { $0 <= now - rule.window }
                recent[key, default: []].append(now)
            }
            return nil
        }
    }

    static func message(waitSeconds seconds: Int64) -> String {
        let minutes = (seconds + 59) / 60
        return minutes <= 1
            ? "Too many applications were sent from here. Please try again in a minute."
            : "Too many applications were sent from here. Please try again in \(minutes) minutes."
    }
}
