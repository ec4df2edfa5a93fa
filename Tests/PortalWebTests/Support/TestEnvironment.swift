import Foundation
import PortalSecurity
@testable import PortalWeb

/// A fresh data folder, migrated database and key for one test, with a cheap password hash.
enum TestEnvironment {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// scrypt with N = 2^10: the same code path as production at a thousandth of the cost.
    static let hasher = PasswordHasher(parameters: ScryptParameters(logN: 10, r: 8, p: 1))

    static func make() throws -> (environment: PortalEnvironment, dataDirectory: String) {
        let data = NSTemporaryDirectory() + "portal-test-\(UUID().uuidString)"
        let opened = try PortalEnvironment.open(dataDirectory: data, migrationsDirectory: root.appendingPathComponent("Migrations").path,
                                                hasher: hasher, environment: [:])
        return (opened.environment, data)
    }
}
