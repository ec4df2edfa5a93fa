import Foundation

/// Hashes and verifies passwords with scrypt, stored as PHC strings that carry their own salt and
/// parameters so that the parameters can be raised later without invalidating existing hashes.
///
/// One hash with the production parameters takes 128 MiB and about half a second of one core: call it from
/// the worker pool, never an event loop. At most one hash per core runs at once (`HashingGate`); further
/// callers block until one finishes.
public struct PasswordHasher: Sendable {
    /// Parameters for new hashes.
    public let parameters: ScryptParameters
    /// The most a stored hash may ask for when verified.
    public let limits: ScryptLimits

    /// Why a hash could not be made.
    public enum HashError: Error, Equatable, Sendable {
        /// The configured parameters exceed the configured limits, so their hashes could never be verified.
        case parametersOverLimit
    }

    /// Tests pass small parameters (e.g. `logN: 4, r: 1`) to stay fast; production uses the defaults.
    public init(parameters: ScryptParameters = .owasp, limits: ScryptLimits = .standard) {
        self.parameters = parameters
        self.limits = limits
    }

    /// A new PHC string for `password` with a fresh random salt.
    public func hash(_ password: String) throws -> String {
        guard limits.allow(parameters) else { throw HashError.parametersOverLimit }
        let salt = try SecureRandom.bytes(count: parameters.saltLength)
        let key = try Self.derive(password, salt: salt, parameters: parameters)
        return PasswordHash(parameters: parameters, salt: salt, hash: key).phcString
    }

    /// Whether `password` matches `storedHash`. False, without running scrypt, for a string that is
    /// malformed or asks for more than `limits` allow; false also if OpenSSL fails.
    public func verify(_ password: String, against storedHash: String) -> Bool {
        guard let stored = try? PasswordHash(phc: storedHash, limits: limits),
              let key = try? Self.derive(password, salt: stored.salt, parameters: stored.parameters)
        else { return false }
        return ConstantTime.equals(key, stored.hash)
    }

    /// Whether `storedHash` should be replaced by a new hash (after a successful login, when the password
    /// is at hand): it is weaker than the current parameters in any respect, or cannot be read at all.
    public func needsRehash(_ storedHash: String) -> Bool {
        guard let stored = try? PasswordHash(phc: storedHash, limits: limits) else { return true }
        let old = stored.parameters
        return old.logN < parameters.logN || old.r < parameters.r || old.p < parameters.p
            || old.saltLength < parameters.saltLength || old.keyLength < parameters.keyLength
    }

    /// Spends the time of one verification and discards the result. Call it when the account does not
    /// exist, so that a login's duration does not tell whether an e-mail address is registered.
    public func simulateVerification(_ password: String) {
        let salt = [UInt8](repeating: 0, count: parameters.saltLength)
        _ = try? Self.derive(password, salt: salt, parameters: parameters)
    }

    /// NIST SP 800-63B §5.1.1.2 asks verifiers to normalise Unicode passwords (NFKC or NFKD) so that the
    /// same password typed on different keyboards hashes the same. This choice is part of every stored
    /// hash: changing it later would lock out users with non-ASCII passwords.
    static func passwordBytes(_ password: String) -> [UInt8] {
        Array(password.precomposedStringWithCompatibilityMapping.utf8)
    }

    private static func derive(_ password: String, salt: [UInt8], parameters: ScryptParameters) throws -> [UInt8] {
        let bytes = passwordBytes(password)
        return try HashingGate.shared.run {
            try Scrypt.derive(
                password: bytes, salt: salt, n: parameters.n,
                r: UInt64(parameters.r), p: UInt64(parameters.p), keyLength: parameters.keyLength
            )
        }
    }
}
