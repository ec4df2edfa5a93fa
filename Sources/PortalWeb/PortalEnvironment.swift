import Foundation
import PortalCore
import PortalSecurity
import Store

/// What differs between production, development and tests: the database, the secret key, the cost of a
/// password hash. Built once at start and handed to the application.
public struct PortalEnvironment: Sendable {
    public let database: DatabasePool
    public let secretKey: SecretKey
    public let hasher: PasswordHasher

    public init(database: DatabasePool, secretKey: SecretKey, hasher: PasswordHasher = PasswordHasher()) {
        self.database = database
        self.secretKey = secretKey
        self.hasher = hasher
    }

    /// Opens (creating if needed) `<data>/portal.sqlite`, applies pending migrations from `migrations`, and
    /// loads or creates the secret key. Returns the migrations it applied too, for the log.
    public static func open(dataDirectory: String, migrationsDirectory: String, hasher: PasswordHasher = PasswordHasher(),
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (environment: PortalEnvironment, applied: [Migration], keySource: KeyStore.Source) {
        // The folder holds password hashes, sessions and the secret key: owner-only.
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let database = try DatabasePool(path: dataDirectory + "/portal.sqlite")
        let applied = try Migrator(directory: migrationsDirectory).migrate(database)
        let (key, source) = try KeyStore.load(dataDirectory: dataDirectory, environment: environment)
        return (PortalEnvironment(database: database, secretKey: key, hasher: hasher), applied, source)
    }
}
