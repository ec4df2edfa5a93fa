import Foundation
import PortalCore

/// How engine values look in the API. One place, so a partner or a commission has the same shape on every
/// endpoint that returns it.
enum APIJSON {
    static func optional(_ value: Any?) -> Any { value ?? NSNull() }

    static func partner(_ partner: Partner, details: PayoutDetails?) -> [String: Any] {
        var payout: Any = NSNull()
        if let details {
            payout = ["method": details.method.rawValue, "recipient": details.maskedRecipient] as [String: Any]
        }
        return [
            "id": partner.id, "email": partner.email, "name": partner.name, "company": partner.company, "website": partner.website,
            "status": partner.status.rawValue, "status_reason": partner.statusReason,
            "parent_partner_id": optional(partner.parentPartnerID), "group": partner.group.isEmpty ? NSNull() : partner.group,
            "payout": payout, "payout_threshold": partner.payoutThreshold, "created_at": RFC3339.format(partner.createdAt),
        ]
    }

    static func commission(_ commission: RecordedConversion.Commission) -> [String: Any] {
        ["id": commission.id, "partner_id": commission.partnerID, "amount": commission.amount, "currency": commission.currency,
         "status": commission.status, "level": commission.level, "rule": commission.rule]
    }

    static func listedCommission(_ listed: CommissionStore.Listed) -> [String: Any] {
        var object = commission(listed.commission)
        object["conversion_id"] = listed.conversionID
        object["external_id"] = listed.externalID
        object["flagged"] = listed.review == "flagged"
        object["hold_until"] = RFC3339.format(listed.holdUntil)
        object["created_at"] = RFC3339.format(listed.createdAt)
        return object
    }

    static func conversion(_ conversion: RecordedConversion) -> [String: Any] {
        ["id": conversion.id, "external_id": conversion.externalID, "partner_id": optional(conversion.partnerID),
         "type": conversion.type.rawValue, "amount": optional(conversion.amount), "currency": conversion.currency,
         "status": conversion.status, "refunded_amount": conversion.refundedAmount, "occurred_at": RFC3339.format(conversion.occurredAt),
         "commissions": conversion.commissions.map(commission)]
    }

    static func payout(_ payout: PayoutStore.Payout) -> [String: Any] {
        ["id": payout.id, "batch_id": payout.batchID, "partner_id": payout.partnerID, "amount": payout.amount, "currency": payout.currency,
         "method": payout.method, "status": payout.status, "reference": payout.reference, "failure_reason": payout.failureReason,
         "created_at": RFC3339.format(payout.createdAt), "settled_at": optional(payout.settledAt.map(RFC3339.format))]
    }

    static func balance(_ balance: Balance, currency: String) -> [String: Any] {
        ["currency": currency, "pending": balance.pending, "available": balance.available, "paid": balance.paid]
    }
}
