/// What `portal program create` and the admin console need to start a program, validated.
public struct NewProgram: Sendable, Equatable {
    public var name: String
    public var slug: String
    public var currency: String
    public var commissionPercent: Double = 20
    public var holdDays = 30
    public var cookieDays = 60
    /// Minimum payout in minor units of `currency`.
    public var minPayout: Int64 = 5000

    public init(name: String, slug: String, currency: String) {
        self.name = name
        self.slug = slug
        self.currency = currency
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let field: String
        public let message: String
        public var description: String { "\(field): \(message)" }
    }

    /// The commission rate in basis points, rounded half-to-even (20.005 % → 2000 bps).
    public var commissionBasisPoints: Int64 {
        Int64((commissionPercent * 100).rounded(.toNearestOrEven))
    }

    /// Every rule the database also enforces, checked first so the user gets a sentence, not a constraint name.
    public func validate() throws(Invalid) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 120 else { throw Invalid(field: "name", message: "must be 1 to 120 characters") }
        guard (2...40).contains(slug.count), slug.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }),
              slug.first != "-" else {
            throw Invalid(field: "slug", message: "must be 2 to 40 lower-case letters, digits or hyphens")
        }
        guard currency.count == 3, currency.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw Invalid(field: "currency", message: "must be an ISO 4217 code in upper case, like USD")
        }
        guard commissionPercent.isFinite, (0...100).contains(commissionPercent) else {
            throw Invalid(field: "commission-percent", message: "must be between 0 and 100")
        }
        guard (0...365).contains(holdDays) else { throw Invalid(field: "hold-days", message: "must be between 0 and 365") }
        guard (1...730).contains(cookieDays) else { throw Invalid(field: "cookie-days", message: "must be between 1 and 730") }
        guard minPayout >= 0 else { throw Invalid(field: "min-payout", message: "must not be negative") }
    }
}

import Foundation
