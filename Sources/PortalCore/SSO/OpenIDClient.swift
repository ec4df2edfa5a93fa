import Foundation
import PortalSecurity
import Synchronization

/// Why single sign-on stopped. `message` is written for the person signing in and names no secret; `status` is the
/// HTTP status of the error page.
public struct SSOFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notConfigured, stateInvalid, stateExpired, stateReplayed, providerDenied, providerUnavailable, tokenRejected,
             emailNotAllowed, accountElsewhere, accountDisabled
    }

    public let kind: Kind
    public let message: String
    /// For the log only (never shown): the technical reason.
    public let detail: String

    public init(_ kind: Kind, _ message: String, detail: String = "") {
        self.kind = kind
        self.message = message
        self.detail = detail
    }

    public var status: Int {
        switch kind {
        case .notConfigured, .stateInvalid, .stateExpired, .stateReplayed: 400
        case .providerDenied, .tokenRejected, .emailNotAllowed: 401
        case .accountElsewhere, .accountDisabled: 403
        case .providerUnavailable: 502
        }
    }

    public var description: String { "\(kind.rawValue): \(message) \(detail)" }

    static func rejected(_ detail: String) -> SSOFailure {
        SSOFailure(.tokenRejected, "The identity provider's answer could not be trusted (\(detail)). Nothing was signed in.", detail: detail)
    }

    static func unavailable(_ detail: String) -> SSOFailure {
        SSOFailure(.providerUnavailable, "Your organisation's identity provider could not be reached or gave an answer we could not use. "
                   + "Try again in a moment, or ask your administrator.", detail: detail)
    }
}

/// Discovery, JWKS and the token endpoint of OpenID providers, over `WebhookHTTPClient` (its SSRF guard included).
/// Discovery documents and key sets are cached in memory for an hour; a token signed with a key id we do not know makes
/// one early refetch of the key set (key rotation); a key id still missing after that is not refetched for a minute.
public final class OpenIDClient: Sendable {
    public struct Discovery: Sendable, Equatable {
        public let issuer: String
        public let authorizationEndpoint: String
        public let tokenEndpoint: String
        public let jwksURI: String
        /// Whether the token endpoint takes client_secret_basic (the default); false: client_secret_post only.
        public let basicAuth: Bool
    }

    let http: WebhookHTTPClient
    let cacheLifetime: Double
    let refetchInterval: Double
    private let discoveries = Mutex<[String: (Discovery, Date)]>([:])
    private let keySets = Mutex<[String: (keys: [JWK], fetched: Date)]>([:])
    /// Key ids a refetch did not find, and when (see `key(for:jwksURI:)`).
    private let misses = Mutex<[String: Date]>([:])
    /// How many times a key set was fetched (tests watch rotation).
    private let fetches = Mutex<Int>(0)

    public init(http: WebhookHTTPClient, cacheLifetime: Double = 3600, refetchInterval: Double = 60) {
        var http = http
        // Key sets of big providers run to a few dozen kilobytes.
        http.maxResponseBytes = max(http.maxResponseBytes, 64 * 1024)
        self.http = http
        self.cacheLifetime = cacheLifetime
        self.refetchInterval = refetchInterval
    }

    public var keySetFetches: Int { fetches.withLock { $0 } }

    public func discovery(issuer: String) throws(SSOFailure) -> Discovery {
        if let (cached, at) = discoveries.withLock({ $0[issuer] }), Date().timeIntervalSince(at) < cacheLifetime { return cached }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let object = try json(try get(base + "/.well-known/openid-configuration"), what: "discovery")
        guard let announced = object["issuer"] as? String, announced == issuer else {
            // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched for.
            throw .unavailable("discovery names another issuer")
        }
        guard let authorize = object["authorization_endpoint"] as? String, let token = object["token_endpoint"] as? String,
              let jwks = object["jwks_uri"] as? String else { throw .unavailable("discovery lacks endpoints") }
        let methods = object["token_endpoint_auth_methods_supported"] as? [String] ?? ["client_secret_basic"]
        let discovery = Discovery(issuer: announced, authorizationEndpoint: authorize, tokenEndpoint: token, jwksURI: jwks,
                                  basicAuth: methods.contains("client_secret_basic") || !methods.contains("client_secret_post"))
        discoveries.withLock { $0[issuer] = (discovery, Date()) }
        return discovery
    }

    /// The key that verifies `jws`: from the cached set, or after a refetch when its key id is unknown (key rotation).
    /// A key id that a refetch did not find is remembered for `refetchInterval`, so a provider (or token) naming a
    /// missing key again does not make us fetch the key set on every sign-in.
    public func key(for jws: JWS, jwksURI: String) throws(SSOFailure) -> JWK {
        let now = Date()
        let cached = keySets.withLock { $0[jwksURI] }
        let fresh = cached.map { now.timeIntervalSince($0.fetched) < cacheLifetime } ?? false
        if fresh, let cached, let key = JWSVerifier.key(for: jws, in: cached.keys) { return key }
        let missKey = jwksURI + "#" + (jws.keyID ?? "")
        if fresh, let missed = misses.withLock({ $0[missKey] }), now.timeIntervalSince(missed) < refetchInterval {
            throw .rejected("signed with an unknown key")
        }
        let keys: [JWK]
        do {
            keys = try JWK.set(json: try get(jwksURI))
        } catch let failure as SSOFailure {
            throw failure
        } catch {
            throw .unavailable("key set: \(error)")
        }
        fetches.withLock { $0 += 1 }
        keySets.withLock { $0[jwksURI] = (keys, now) }
        guard let key = JWSVerifier.key(for: jws, in: keys) else {
            misses.withLock { misses in
                if misses.count > 1000 { misses.removeAll() }
                misses[missKey] = now
            }
            throw .rejected("signed with an unknown key")
        }
        return key
    }

    /// Exchanges an authorization code (with its PKCE verifier) for the ID token.
    public func exchange(code: String, verifier: String, redirectURI: String, discovery: Discovery, clientID: String,
                         clientSecret: String) throws(SSOFailure) -> String {
        var fields: [(String, String)] = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
                                          ("code_verifier", verifier), ("client_id", clientID)]
        var headers: [(String, String)] = [("Accept", "application/json")]
        if discovery.basicAuth {
            // RFC 6749 §2.3.1: both parts form-encoded before base64.
            let credentials = Self.formEncode(clientID) + ":" + Self.formEncode(clientSecret)
            headers.append(("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString()))
        } else {
            fields.append(("client_secret", clientSecret))
        }
        let body = fields.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
        let answer: WebhookHTTPClient.Response
        do {
            answer = try http.send(method: "POST", url: discovery.tokenEndpoint, headers: headers,
                                   contentType: "application/x-www-form-urlencoded", body: Array(body.utf8), readBody: true)
        } catch {
            throw .unavailable("token endpoint: \(error)")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any]
        guard answer.status == 200 else {
            let error = object?["error"] as? String ?? "status \(answer.status)"
            throw SSOFailure(.providerDenied, "Your organisation's identity provider refused the sign-in (\(Self.printable(error))).",
                             detail: "token endpoint: \(error)")
        }
        guard let token = object?["id_token"] as? String else { throw .unavailable("no id_token in the token answer") }
        return token
    }

    private func get(_ url: String) throws(SSOFailure) -> [UInt8] {
        let answer: WebhookHTTPClient.Response
        do {
            answer = try http.send(method: "GET", url: url, headers: [("Accept", "application/json")], contentType: nil, body: [], readBody: true)
        } catch {
            throw .unavailable("\(url): \(error)")
        }
        guard answer.status == 200 else { throw .unavailable("\(url): status \(answer.status)") }
        return answer.body
    }

    private func json(_ bytes: [UInt8], what: String) throws(SSOFailure) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { throw .unavailable("\(what) is not JSON") }
        return object
    }

    /// application/x-www-form-urlencoded, also used for query strings: unreserved characters kept, the rest %XX.
    public static func formEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// A provider's error code, cut short and stripped to printable ASCII before it is shown.
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(80).map(Character.init))
    }
}

/// The claims of an ID token we use, after every check of OpenID Connect Core §3.1.3.7 that applies to us.
public struct IDTokenClaims: Sendable, Equatable {
    public let subject: String
    public let email: String
    public let name: String

    /// Clock skew tolerated on exp, nbf and iat, in seconds.
    public static let leeway: Int64 = 60

    /// Checks the (already signature-verified) payload: `iss` exactly the issuer; `aud` the client id or an array that
    /// contains it (with `azp` then required to be the client id when there are several audiences); `exp` in the
    /// future, `nbf` and `iat` not in the future (with `leeway`); `nonce` equal to ours; a verified `email`.
    public static func validate(payload: [UInt8], issuer: String, clientID: String, nonce: String, now: Int64) throws(SSOFailure) -> IDTokenClaims {
        guard let claims = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any] else { throw .rejected("the token is not JSON") }
        guard claims["iss"] as? String == issuer else { throw .rejected("wrong issuer") }
        let audiences: [String]
        if let single = claims["aud"] as? String { audiences = [single] } else { audiences = claims["aud"] as? [String] ?? [] }
        guard audiences.contains(clientID) else { throw .rejected("wrong audience") }
        if let azp = claims["azp"] as? String, azp != clientID { throw .rejected("wrong authorized party") }
        if audiences.count > 1, claims["azp"] as? String != clientID { throw .rejected("several audiences without our azp") }
        guard let exp = number(claims["exp"]) else { throw .rejected("no expiry") }
        guard exp + leeway > now else { throw .rejected("the token has expired") }
        if let nbf = number(claims["nbf"]), nbf - leeway > now { throw .rejected("the token is not valid yet") }
        guard let iat = number(claims["iat"]) else { throw .rejected("no issue time") }
        guard iat - leeway <= now else { throw .rejected("the token was issued in the future") }
        guard let tokenNonce = claims["nonce"] as? String,
              ConstantTime.equals(Array(tokenNonce.utf8), Array(nonce.utf8)) else { throw .rejected("wrong nonce") }
        guard let subject = claims["sub"] as? String, !subject.isEmpty else { throw .rejected("no subject") }
        guard let emailText = claims["email"] as? String, let email = AccountStore.normalizedEmail(emailText) else {
            throw SSOFailure(.emailNotAllowed, "Your identity provider did not give an e-mail address, so we cannot tell who you are.")
        }
        let verified = (claims["email_verified"] as? Bool) ?? ((claims["email_verified"] as? String) == "true")
        guard verified else {
            throw SSOFailure(.emailNotAllowed, "Your identity provider says the e-mail address \(email) is not verified.")
        }
        let name = (claims["name"] as? String).map { String($0.prefix(200)) } ?? ""
        return IDTokenClaims(subject: subject, email: email, name: name)
    }

    /// A time claim in whole seconds, only within 0 … 2^40 (year 36812): a provider's token must never make the
    /// arithmetic below overflow (which would trap and take the server down) — anything else is no time at all.
    static func number(_ value: Any?) -> Int64? {
        let limit: Double = 1_099_511_627_776
        let seconds: Double?
        if let value = value as? Int { seconds = Double(value) }
        else if let value = value as? Double { seconds = value }
        else { seconds = (value as? NSNumber)?.doubleValue }
        guard let seconds, seconds.isFinite, seconds >= 0, seconds <= limit else { return nil }
        return Int64(seconds)
    }
}
