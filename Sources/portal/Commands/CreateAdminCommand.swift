import ArgumentParser
import Foundation
import PortalCore

/// `portal create-admin --email E [--password-stdin]`: a platform admin, with a password from standard input
/// or, without one, a one-time setup link valid for 24 hours.
struct CreateAdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-admin", abstract: "Create a platform admin.")

    @Option(help: "The admin's e-mail address.") var email: String
    @Flag(help: "Read the password from standard input instead of printing a setup link.") var passwordStdin = false
    @OptionGroup var options: DataOptions

    func run() throws {
        let environment = try options.open().environment
        guard let address = AccountStore.normalizedEmail(email) else { throw CommandFailure(description: "\(email) is not a valid e-mail address.") }
        var passwordHash: String?
        if passwordStdin {
            let password = (readLine(strippingNewline: true) ?? "")
            if let problem = PasswordRules.problem(with: password, email: address) { throw CommandFailure(description: "Password refused: \(problem)") }
            passwordHash = try environment.hasher.hash(password)
        }
        let now = Int64(Date().timeIntervalSince1970)
        let accounts = AccountStore(database: environment.database)
        let token = try environment.database.write { db -> String? in
            let user = try accounts.createUser(in: db, email: address, name: "", passwordHash: passwordHash, now: now)
            try accounts.addMembership(in: db, userID: user.id, Membership(role: .platformAdmin), now: now)
            guard passwordHash == nil else { return nil }
            return try OneTimeTokens().issue(in: db, purpose: .setup, email: address, userID: user.id, lifetime: 86_400, now: now)
        }
        if let token {
            print("Created platform admin \(address). Set the password within 24 hours at:")
            print("\(BaseURL.current)/password/\(token)")
        } else {
            print("Created platform admin \(address).")
        }
    }
}
