import Foundation
import PortalSecurity
import Store

/// The single sign-on flow (authorization code with PKCE, state and nonce) from discovery by e-mail domain to a
/// signed-in principal. Who may be signed in (docs/DECISIONS.md, "Single sign-on"):
/// - a connection signs in only e-mails of its own claimed domains, and only verified ones;
/// - an existing user only when every membership they hold lies in the connection's scope (that partner team, or that
///   program's staff) — otherwise the team's identity provider would vouch for access elsewhere, and a partner that
///   claimed the company's domain could take over a staff account;
/// - a new user is created without a password and given the connection's default role (never an owner).
public struct SSOService: Sendable {
    let database: DatabasePool
    public let store: SSOStore
    public let client: OpenIDClient
    /// `{baseURL}/sso/callback`, registered at the provider.
    public let redirectURI: String

    /// How long a started sign-in may take.
    public static let stateLifetime: Int64 = 600

    public init(database: DatabasePool, store: SSOStore, client: OpenIDClient, redirectURI: String) {
        self.database = database
        self.store = store
        self.client = client
        self.redirectURI = redirectURI
    }

    public struct Started: Sendable {
        /// Where to send the browser.
        public let authorizeURL: String
        /// The state, to bind to the browser in a cookie as well.
        public let state: String
    }

    /// Looks the e-mail's domain up and starts a sign-in at its connection's provider.
    public func start(email: String, next: String?, now: Int64) throws(SSOFailure) -> Started {
        let found: SSOConnection?
        do { found = try database.read { db in try store.connection(in: db, forEmail: email) } } catch {
            throw .unavailable("database: \(error)")
        }
        guard let connection = found else {
            let domain = SSOStore.domain(ofEmail: email) ?? "this address"
            throw SSOFailure(.notConfigured, "Single sign-on is not set up for \(domain). Sign in with your password instead.")
        }
        let discovery = try client.discovery(issuer: connection.issuer)
        let state: String, nonce: String, verifier: String
        do {
            state = try SecureRandom.token()
            nonce = try SecureRandom.token()
            verifier = try SecureRandom.token(bytes: 48)
            try database.write { db in
                try db.execute("DELETE FROM sso_login_states WHERE created_at < ?", [now - Self.stateLifetime])
                try db.execute("""
                    INSERT INTO sso_login_states (state_hash, connection_id, nonce, code_verifier, email, next, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [SHA256.hexDigest(state), connection.id, nonce, verifier, AccountStore.normalizedEmail(email) ?? "", next ?? "", now])
            }
        } catch {
            throw .unavailable("state: \(error)")
        }
        let challenge = Base64URL.encode(SHA256.hash(Array(verifier.utf8)))
        let query: [(String, String)] = [
            ("response_type", "code"), ("client_id", connection.clientID), ("redirect_uri", redirectURI),
            ("scope", "openid email profile"), ("state", state), ("nonce", nonce),
            ("code_challenge", challenge), ("code_challenge_method", "S256"), ("login_hint", AccountStore.normalizedEmail(email) ?? ""),
        ]
        let separator = discovery.authorizationEndpoint.contains("?") ? "&" : "?"
        let url = discovery.authorizationEndpoint + separator
            + query.map { OpenIDClient.formEncode($0.0) + "=" + OpenIDClient.formEncode($0.1) }.joined(separator: "&")
        return Started(authorizeURL: url, state: state)
    }

    public struct Finished: Sendable {
        public let principal: Principal
        public let next: String?
        /// Whether this sign-in created the account (JIT).
        public let created: Bool
    }

    /// Completes the sign-in at `/sso/callback`: `state` from the query must equal `browserState` (the cookie set at
    /// the start, so a callback URL cannot be replayed into another browser) and a stored, unused, fresh state. The
    /// state is spent before anything else, so a second use of the same callback is always refused.
    public func finish(state: String?, code: String?, providerError: String?, browserState: String?, now: Int64) throws(SSOFailure) -> Finished {
        guard let state, !state.isEmpty, state.utf8.count <= 200 else {
            throw SSOFailure(.stateInvalid, "This sign-in link is incomplete. Start again from the sign-in page.")
        }
        guard let browserState, ConstantTime.equals(Array(browserState.utf8), Array(state.utf8)) else {
            throw SSOFailure(.stateInvalid, "This sign-in was not started in this browser, or it has already finished. Start again from the sign-in page.")
        }
        let spent: Row
        do {
            spent = try database.write { db throws -> Row in
                guard let row = try db.queryOne("SELECT * FROM sso_login_states WHERE state_hash = ?", [SHA256.hexDigest(state)]) else {
                    throw SSOFailure(.stateInvalid, "This sign-in is not known. Start again from the sign-in page.")
                }
                if (try row["used_at"] as Int64?) != nil {
                    throw SSOFailure(.stateReplayed, "This sign-in link was already used. Start again from the sign-in page.")
                }
                try db.execute("UPDATE sso_login_states SET used_at = ? WHERE state_hash = ?", [now, SHA256.hexDigest(state)])
                return row
            }
        } catch let failure as SSOFailure {
            throw failure
        } catch {
            throw .unavailable("state: \(error)")
        }
        let createdAt: Int64, connectionID: Int64, nonce: String, verifier: String, nextText: String
        do {
            createdAt = try spent["created_at"]
            connectionID = try spent["connection_id"]
            nonce = try spent["nonce"]
            verifier = try spent["code_verifier"]
            nextText = try spent["next"]
        } catch {
            throw .unavailable("state row: \(error)")
        }
        guard now - createdAt <= Self.stateLifetime else {
            throw SSOFailure(.stateExpired, "This sign-in took longer than 10 minutes and has expired. Start again from the sign-in page.")
        }
        if let providerError {
            throw SSOFailure(.providerDenied, "Your organisation's identity provider did not sign you in (\(OpenIDClient.printable(providerError))).",
                             detail: providerError)
        }
        guard let code, !code.isEmpty, code.utf8.count <= 2000 else {
            throw SSOFailure(.providerDenied, "The identity provider sent no authorization code.")
        }
        let loaded: (SSOConnection, String)?
        do {
            loaded = try database.read { db -> (SSOConnection, String)? in
                guard let connection = try store.connection(in: db, id: connectionID) else { return nil }
                return (connection, try store.clientSecret(in: db, connection: connection))
            }
        } catch {
            throw .unavailable("connection: \(error)")
        }
        guard let (connection, secret) = loaded else {
            throw SSOFailure(.notConfigured, "Single sign-on was switched off while you were signing in.")
        }
        let discovery = try client.discovery(issuer: connection.issuer)
        let token = try client.exchange(code: code, verifier: verifier, redirectURI: redirectURI, discovery: discovery,
                                        clientID: connection.clientID, clientSecret: secret)
        let jws: JWS
        do { jws = try JWS.parse(token) } catch { throw .rejected(error.description) }
        let key = try client.key(for: jws, jwksURI: discovery.jwksURI)
        do { try JWSVerifier.verify(jws, with: key) } catch { throw .rejected(error.description) }
        let claims = try IDTokenClaims.validate(payload: jws.payload, issuer: connection.issuer, clientID: connection.clientID,
                                                nonce: nonce, now: now)
        guard let domain = SSOStore.domain(ofEmail: claims.email), connection.domains.contains(domain) else {
            throw SSOFailure(.emailNotAllowed, "\(claims.email) is not an address of the domains this single sign-on serves "
                             + "(\(connection.domains.joined(separator: ", "))). Sign in with your password instead.")
        }
        let (principal, created) = try signIn(claims: claims, connection: connection, now: now)
        return Finished(principal: principal, next: nextText.isEmpty ? nil : nextText, created: created)
    }

    /// Whether `membership` lies in the connection's scope.
    static func inScope(_ membership: Membership, of connection: SSOConnection) -> Bool {
        if let partnerID = connection.partnerID { return membership.role.isPartnerTeam && membership.partnerID == partnerID }
        return membership.role.isProgramStaff && membership.role != .platformAdmin && membership.programID == connection.programID
    }

    /// Whether the connection may sign this user in: at least one membership, all of them in its scope.
    static func mayVouch(for memberships: [Membership], connection: SSOConnection) -> Bool {
        !memberships.isEmpty && memberships.allSatisfy { inScope($0, of: connection) }
    }

    private func signIn(claims: IDTokenClaims, connection: SSOConnection, now: Int64) throws(SSOFailure) -> (Principal, Bool) {
        let accounts = AccountStore(database: database)
        do {
            return try database.write { db throws -> (Principal, Bool) in
                var created = false
                let userID: Int64
                if let user = try accounts.user(in: db, email: claims.email) {
                    guard !user.disabled else {
                        throw SSOFailure(.accountDisabled, "The account \(claims.email) is disabled. Ask your administrator.")
                    }
                    guard Self.mayVouch(for: try accounts.memberships(in: db, userID: user.id), connection: connection) else {
                        throw SSOFailure(.accountElsewhere, "The account \(claims.email) belongs to another team or program, so this "
                                         + "single sign-on cannot sign it in. Sign in with your password instead.")
                    }
                    userID = user.id
                } else {
                    let name = claims.name.isEmpty ? String(claims.email.prefix { $0 != "@" }) : claims.name
                    let user = try accounts.createUser(in: db, email: claims.email, name: name, passwordHash: nil, now: now)
                    try accounts.addMembership(in: db, userID: user.id, Membership(role: connection.defaultRole, programID: connection.programID,
                                                                                    partnerID: connection.partnerID), now: now)
                    userID = user.id
                    created = true
                }
                // The provider's stable subject: pinned to the account at its first sign-in through this connection.
                let linkedUser = try db.queryValue("SELECT user_id FROM sso_identities WHERE connection_id = ? AND subject = ?",
                                                   [connection.id, claims.subject], as: Int64.self)
                let linkedSubject = try db.queryValue("SELECT subject FROM sso_identities WHERE connection_id = ? AND user_id = ?",
                                                      [connection.id, userID], as: String.self)
                if (linkedUser != nil && linkedUser != userID) || (linkedSubject != nil && linkedSubject != claims.subject) {
                    throw SSOFailure(.accountElsewhere, "Your identity provider says this is \(claims.email), but the account \(claims.email) "
                                     + "was signed in before by another person at your provider. Ask your administrator.",
                                     detail: "subject mismatch")
                }
                if linkedUser == nil {
                    try db.execute("INSERT INTO sso_identities (connection_id, subject, user_id, created_at) VALUES (?, ?, ?, ?)",
                                   [connection.id, claims.subject, userID, now])
                }
                if connection.partnerID != nil {
                    try db.execute("INSERT OR IGNORE INTO partner_sign_ins (program_id, day, partner_id) VALUES (?, ?, ?)",
                                   [connection.programID, DailyStats.day(of: now), connection.partnerID])
                }
                guard let principal = try accounts.principal(in: db, userID: userID) else {
                    throw SSOFailure(.accountDisabled, "The account \(claims.email) cannot sign in.")
                }
                return (principal, created)
            }
        } catch let failure as SSOFailure {
            throw failure
        } catch {
            throw .unavailable("sign-in: \(error)")
        }
    }

    /// The mandatory connection that forbids a password sign-in for `email`: its domain's connection is mandatory and
    /// the user is one it may sign in (all memberships in its scope). Users outside the scope (say, staff whose domain a
    /// partner claimed) keep their password, so claiming a domain cannot lock anyone out.
    public func mandatoryConnection(forPassword email: String) throws -> SSOConnection? {
        try database.read { db -> SSOConnection? in
            guard let connection = try store.connection(in: db, forEmail: email), connection.mandatory,
                  let user = try AccountStore(database: database).user(in: db, email: email) else { return nil }
            let memberships = try AccountStore(database: database).memberships(in: db, userID: user.id)
            return Self.mayVouch(for: memberships, connection: connection) ? connection : nil
        }
    }

    /// Whether the e-mail's domain has single sign-on.
    public func hasConnection(forEmail email: String) throws -> Bool {
        try database.read { db in try store.connection(in: db, forEmail: email) != nil }
    }

    /// Whether any connection exists (the login page offers single sign-on only then).
    public func anyConnection() throws -> Bool {
        try database.read { db in try db.queryOne("SELECT 1 FROM sso_connections LIMIT 1") != nil }
    }
}
