import Foundation
import Testing
@testable import PortalCore

/// The ID token claim checks of single sign-on (the signature is checked before, in JWSVerifier).
@Suite struct IDTokenClaimsTests {
    static let now: Int64 = 1_800_000_000
    static let issuer = "https://login.example.com"

    static func payload(_ changes: [String: Any?] = [:]) throws -> [UInt8] {
        var claims: [String: Any] = [
            "iss": issuer, "sub": "abc", "aud": "client", "exp": now + 300, "iat": now - 10, "nonce": "n0nce",
            "email": "Ann@Example.com", "email_verified": true, "name": "Ann",
        ]
        for (key, value) in changes { claims[key] = value }
        return Array(try JSONSerialization.data(withJSONObject: claims))
    }

    static func validate(_ changes: [String: Any?] = [:]) throws -> IDTokenClaims {
        try IDTokenClaims.validate(payload: try payload(changes), issuer: issuer, clientID: "client", nonce: "n0nce", now: now)
    }

    static func reason(_ changes: [String: Any?]) -> String? {
        do {
            _ = try validate(changes)
            return nil
        } catch let failure as SSOFailure {
            return failure.detail.isEmpty ? failure.message : failure.detail
        } catch {
            return "\(error)"
        }
    }

    @Test func validClaims() throws {
        let claims = try Self.validate()
        #expect(claims == IDTokenClaims(subject: "abc", email: "ann@example.com", name: "Ann"))
        // An audience array holding us, with azp naming us.
        #expect(try Self.validate(["aud": ["other", "client"], "azp": "client"]).subject == "abc")
        // Within the leeway.
        #expect(try Self.validate(["exp": Self.now - 30, "iat": Self.now + 30, "nbf": Self.now + 30]).subject == "abc")
        // "true" as a string (some providers).
        #expect(try Self.validate(["email_verified": "true"]).email == "ann@example.com")
    }

    @Test func refusals() {
        #expect(Self.reason(["iss": "https://login.example.com/"]) == "wrong issuer")
        #expect(Self.reason(["aud": "other"]) == "wrong audience")
        #expect(Self.reason(["aud": ["other"]]) == "wrong audience")
        #expect(Self.reason(["aud": ["other", "client"]]) == "several audiences without our azp")
        #expect(Self.reason(["azp": "other"]) == "wrong authorized party")
        #expect(Self.reason(["exp": Self.now - 61]) == "the token has expired")
        #expect(Self.reason(["exp": nil]) == "no expiry")
        #expect(Self.reason(["nbf": Self.now + 120]) == "the token is not valid yet")
        #expect(Self.reason(["iat": Self.now + 120]) == "the token was issued in the future")
        #expect(Self.reason(["iat": nil]) == "no issue time")
        #expect(Self.reason(["nonce": "other"]) == "wrong nonce")
        #expect(Self.reason(["nonce": nil]) == "wrong nonce")
        #expect(Self.reason(["sub": ""]) == "no subject")
        #expect(Self.reason(["email": nil])?.contains("did not give an e-mail address") == true)
        #expect(Self.reason(["email_verified": false])?.contains("is not verified") == true)
        #expect(Self.reason(["email_verified": nil])?.contains("is not verified") == true)
    }

    /// Review finding: `exp + leeway` on a provider's Int64.max trapped and took the server down. Time claims
    /// outside 0 … 2^40 are no time at all now.
    @Test func absurdTimeClaimsAreRefusedNotFatal() {
        #expect(Self.reason(["exp": Int64.max]) == "no expiry")
        #expect(Self.reason(["exp": 1e300]) == "no expiry")
        #expect(Self.reason(["exp": -5]) == "no expiry")
        #expect(Self.reason(["iat": Int64.min]) == "no issue time")
        #expect(Self.reason(["nbf": Int64.min]) == nil)  // an unreadable nbf is ignored, like a missing one
    }

    @Test func domains() {
        #expect(SSOStore.parseDomains("Example.com, @example.org\nsub.example.net example.com") == ["example.com", "example.org", "sub.example.net"])
        #expect(SSOStore.parseDomains("") == [])
        #expect(SSOStore.parseDomains("localhost") == nil)
        #expect(SSOStore.parseDomains("exa mple.com") == nil)
        #expect(SSOStore.parseDomains("-bad.com") == nil)
        #expect(SSOStore.parseDomains("bad_.com") == nil)
        #expect(SSOStore.domain(ofEmail: " Ann@Example.COM ") == "example.com")
        #expect(SSOStore.issuerProblem("https://login.example.com", allowHTTP: false) == nil)
        #expect(SSOStore.issuerProblem("http://login.example.com", allowHTTP: false) != nil)
        #expect(SSOStore.issuerProblem("http://127.0.0.1:5000", allowHTTP: true) == nil)
        #expect(SSOStore.issuerProblem("https://login.example.com/?x=1", allowHTTP: false) != nil)
        #expect(SSOStore.issuerProblem("javascript:alert(1)", allowHTTP: true) != nil)
    }

    @Test func scopeRule() {
        let team = SSOConnection(id: 1, programID: 10, partnerID: 20, issuer: Self.issuer, clientID: "c", defaultRole: .partnerMember,
                                 mandatory: false, domains: ["example.com"], updatedAt: 0)
        let staff = SSOConnection(id: 2, programID: 10, partnerID: nil, issuer: Self.issuer, clientID: "c", defaultRole: .programViewer,
                                  mandatory: false, domains: ["acme.com"], updatedAt: 0)
        let member = Membership(role: .partnerOwner, programID: 10, partnerID: 20)
        let otherTeam = Membership(role: .partnerMember, programID: 10, partnerID: 21)
        let manager = Membership(role: .programManager, programID: 10)
        let otherProgram = Membership(role: .programOwner, programID: 11)
        #expect(SSOService.mayVouch(for: [member], connection: team))
        #expect(!SSOService.mayVouch(for: [member, otherTeam], connection: team))
        #expect(!SSOService.mayVouch(for: [manager], connection: team))
        #expect(!SSOService.mayVouch(for: [], connection: team))
        #expect(SSOService.mayVouch(for: [manager], connection: staff))
        #expect(!SSOService.mayVouch(for: [manager, otherProgram], connection: staff))
        #expect(!SSOService.mayVouch(for: [Membership(role: .platformAdmin)], connection: staff))
        #expect(!SSOService.mayVouch(for: [member], connection: staff))
    }
}
