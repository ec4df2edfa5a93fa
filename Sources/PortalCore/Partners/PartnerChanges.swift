/// A new partner or changes to one, as the API and the admin pages send them. A nil field is left as it is
/// (on creation: its default). Checked by `PartnerStore` against the program before anything is written.
public struct PartnerChanges: Sendable, Equatable {
    public var email: String?
    public var name: String?
    public var company: String?
    public var website: String?
    public var group: String?
    /// `.some(nil)` removes the parent.
    public var parentPartnerID: Int64??
    public var payout: PayoutDetails?
    public var payoutThreshold: Int64?

    public init(email: String? = nil, name: String? = nil, company: String? = nil, website: String? = nil, group: String? = nil,
                parentPartnerID: Int64?? = nil, payout: PayoutDetails? = nil, payoutThreshold: Int64? = nil) {
        self.email = email
        self.name = name
        self.company = company
        self.website = website
        self.group = group
        self.parentPartnerID = parentPartnerID
        self.payout = payout
        self.payoutThreshold = payoutThreshold
    }

    /// Problems that need no database: lengths, formats, the payout details. Keys are the API's field names.
    public func problems(creating: Bool) -> [String: [String]] {
        var errors: [String: [String]] = [:]
        if creating && email == nil { errors["email", default: []].append("is required") }
        if creating && name == nil { errors["name", default: []].append("is required") }
        if let email, AccountStore.normalizedEmail(email) == nil { errors["email", default: []].append("must be an e-mail address") }
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.count > 120 { errors["name", default: []].append("must be 1 to 120 characters") }
        }
        if let company, company.count > 120 { errors["company", default: []].append("must be at most 120 characters") }
        if let website, !website.isEmpty, NewLink.destinationProblem(website, allowedDomains: []) != nil {
            errors["website", default: []].append("must be an http or https URL")
        }
        if let group, group.count > 60 { errors["group", default: []].append("must be at most 60 characters") }
        if let payoutThreshold, payoutThreshold < 0 { errors["payout_threshold", default: []].append("must not be negative") }
        if let payout { errors.merge(payout.problems()) { $0 + $1 } }
        return errors
    }
}

import Foundation
