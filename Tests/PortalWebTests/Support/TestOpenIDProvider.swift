import Foundation
import HTTPServer
import Logging
import PortalSecurity
import Synchronization

/// A small OpenID provider for the SSO tests, on 127.0.0.1 port 0 over our own HTTPServer: discovery, JWKS, an
/// authorize endpoint that "signs in" at once (redirects with a code), and a token endpoint that checks the client
/// secret and the PKCE verifier, then returns an ID token signed with a key it generated. `behaviour` makes it
/// misbehave (another audience, an expired token, a stranger's signature, another nonce or e-mail).
final class TestOpenIDProvider: Sendable {
    static let clientID = "portal-client"
    static let clientSecret = "s3cret-of-the-client"

    struct Behaviour: Sendable {
        var email = "new.person@globex.test"
        var emailVerified = true
        var name = "New Person"
        /// The `sub` claim; by default derived from the e-mail.
        var subject: String?
        var audience: String?
        var expiresIn: Int64 = 300
        var nonce: String?
        /// Signs with a key that is not published (same kid): a bad signature.
        var signWithStranger = false
        /// Issuer claim override.
        var issuer: String?
    }

    private struct Grant {
        let nonce: String
        let challenge: String
        let redirectURI: String
    }

    private struct State: @unchecked Sendable {
        var signing: JWSSigningKey
        var published: [JWSSigningKey]
        var grants: [String: Grant] = [:]
        var behaviour = Behaviour()
        var jwksRequests = 0
        var tokenRequests = 0
        var lastTokenAuth = ""
    }

    /// What the handlers share (a class: a Mutex cannot be captured by value).
    private final class Shared: Sendable {
        let state: Mutex<State>
        let port = Mutex<Int>(0)
        init(_ state: State) { self.state = Mutex(state) }
    }

    private let shared: Shared
    private let server: Server

    var issuer: String { "http://127.0.0.1:\(shared.port.withLock { $0 })" }
    var jwksRequests: Int { shared.state.withLock { $0.jwksRequests } }
    var tokenRequests: Int { shared.state.withLock { $0.tokenRequests } }
    var lastTokenAuth: String { shared.state.withLock { $0.lastTokenAuth } }

    init(algorithm: JWSAlgorithm = .rs256) throws {
        let key = try JWSSigningKey(algorithm, keyID: "key-1")
        let shared = Shared(State(signing: key, published: [key]))
        self.shared = shared
        let router = Router()
        router.get("/.well-known/openid-configuration") { _, _ in
            let base = "http://127.0.0.1:\(shared.port.withLock { $0 })"
            let document: [String: Any] = [
                "issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
                "jwks_uri": base + "/jwks", "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            ]
            return .json(String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self))
        }
        router.get("/jwks") { _, _ in
            let keys = try shared.state.withLock { state -> [[String: String]] in
                state.jwksRequests += 1
                return try state.published.map { try $0.publicJWK() }
            }
            return .json(String(decoding: try JSONSerialization.data(withJSONObject: ["keys": keys]), as: UTF8.self))
        }
        router.get("/authorize") { request, _ in
            let query = request.queryParameters
            guard query["response_type"] == "code", query["client_id"] == Self.clientID, query["code_challenge_method"] == "S256",
                  query["scope"]?.split(separator: " ").contains("openid") == true,
                  let redirect = query["redirect_uri"], let challenge = query["code_challenge"], let nonce = query["nonce"],
                  let returned = query["state"] else {
                return .text("bad authorize request", status: .badRequest)
            }
            let code = try SecureRandom.token()
            shared.state.withLock { $0.grants[code] = Grant(nonce: nonce, challenge: challenge, redirectURI: redirect) }
            return .redirect(to: redirect + "?code=\(code)&state=\(returned)", status: .found)
        }
        router.post("/token") { request, _ in
            let form = FormParameters(String(decoding: try request.body.readAll(), as: UTF8.self))
            let basic = request.headers["authorization"] ?? ""
            let expected = "Basic " + Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
            let authenticated = basic == expected || (form["client_id"] == Self.clientID && form["client_secret"] == Self.clientSecret)
            guard authenticated else { return .json(#"{"error":"invalid_client"}"#, status: .unauthorized) }
            guard form["grant_type"] == "authorization_code", let code = form["code"], let verifier = form["code_verifier"],
                  let grant = shared.state.withLock({ $0.grants.removeValue(forKey: code) }), grant.redirectURI == form["redirect_uri"],
                  Base64URL.encode(SHA256.hash(Array(verifier.utf8))) == grant.challenge else {
                return .json(#"{"error":"invalid_grant"}"#, status: .badRequest)
            }
            let (behaviour, signer) = try shared.state.withLock { state -> (Behaviour, JWSSigningKey) in
                state.tokenRequests += 1
                state.lastTokenAuth = basic.isEmpty ? "post" : "basic"
                let signer = state.behaviour.signWithStranger ? try JWSSigningKey(state.signing.algorithm, keyID: state.signing.keyID) : state.signing
                return (state.behaviour, signer)
            }
            let now = Int64(Date().timeIntervalSince1970)
            let claims: [String: Any] = [
                "iss": behaviour.issuer ?? "http://127.0.0.1:\(shared.port.withLock { $0 })", "sub": behaviour.subject ?? "sub-" + behaviour.email,
                "aud": behaviour.audience ?? Self.clientID, "exp": now + behaviour.expiresIn, "iat": now - 5,
                "nonce": behaviour.nonce ?? grant.nonce, "email": behaviour.email, "email_verified": behaviour.emailVerified, "name": behaviour.name,
            ]
            let token = try signer.sign(payload: Array(try JSONSerialization.data(withJSONObject: claims)))
            return .json(String(decoding: try JSONSerialization.data(withJSONObject: ["id_token": token, "token_type": "Bearer",
                                                                                       "access_token": "unused"]), as: UTF8.self))
        }
        var logger = Logger(label: "test-openid-provider")
        logger.logLevel = .critical
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.eventLoops = 1
        configuration.workerThreads = 2
        configuration.streamThreads = 1
        server = Server(configuration: configuration, responder: router, logger: logger)
        try server.start()
        shared.port.withLock { $0 = server.port }
    }

    deinit {
        server.shutdown()
        server.wait()
        server.stopWorkers()
    }

    func configure(_ change: (inout Behaviour) -> Void) {
        shared.state.withLock { change(&$0.behaviour) }
    }

    /// Key rotation: a new signing key with a new kid; only it is published from now on (`publish: false`: signs with
    /// a key it never publishes).
    func rotate(to algorithm: JWSAlgorithm, keyID: String, publish: Bool = true) throws {
        let key = try JWSSigningKey(algorithm, keyID: keyID)
        shared.state.withLock {
            $0.signing = key
            if publish { $0.published = [key] }
        }
    }
}
