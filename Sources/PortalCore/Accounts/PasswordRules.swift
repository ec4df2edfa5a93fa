/// What a new password must be (NIST SP 800-63B: length matters, composition rules do not).
public enum PasswordRules {
    public static let minimumLength = 12
    public static let maximumLength = 256

    /// A sentence for the form when `password` is not acceptable; nil when it is.
    public static func problem(with password: String, email: String) -> String? {
        if password.count < minimumLength { return "Use at least \(minimumLength) characters." }
        if password.count > maximumLength { return "Use at most \(maximumLength) characters." }
        if password.lowercased() == email.lowercased() { return "Don't use your e-mail address as your password." }
        if Set(password).count < 3 { return "Use more than one or two different characters." }
        return nil
    }
}
