import Foundation
import Store

/// The rest of CONTRACTS.md's events, each queued by the store that makes the change, in its transaction:
/// partner.applied (and partner.approved for a partner created approved), link.created, commission.created,
/// commission.reversed, conversion.refunded, payout.created, message.created. Each goes to the program's endpoints
/// and to the postbacks of the partner it is about (a parent's override commission goes to the parent's).
extension WebhookEvents {
    /// `partner.applied` for a new pending partner (an application, or one created pending by the API);
    /// `partner.approved` for one created approved (auto-approval, an invitation, the API).
    public static func partnerCreated(in db: Database, programID: Int64, _ partner: Partner, now: Int64) throws {
        var data: [String: any Sendable] = ["id": partner.id, "email": partner.email, "name": partner.name, "status": partner.status.rawValue]
        data["company"] = partner.company
        data["website"] = partner.website
        data["group"] = partner.group.isEmpty ? NSNull() : partner.group
        data["parent_partner_id"] = optional(partner.parentPartnerID)
        data["created_at"] = rfc3339(partner.createdAt)
        let type = partner.status == .pending ? "partner.applied" : "partner.\(partner.status.rawValue)"
        try enqueue(in: db, programID: programID, partnerID: partner.id, type: type, data: data, now: now)
    }

    /// `link.created`, with the link as `POST /partners/{id}/links` answers (but the path, not the full URL: the
    /// store does not know the public address).
    public static func linkCreated(in db: Database, programID: Int64, _ link: LinkStore.Link, now: Int64) throws {
        let data: [String: any Sendable] = ["id": link.id, "partner_id": link.partnerID, "code": link.code, "path": "/r/\(link.code)",
                                            "destination_url": link.destinationURL, "campaign": link.campaign]
        try enqueue(in: db, programID: programID, partnerID: link.partnerID, type: "link.created", data: data, now: now)
    }

    /// `commission.created` for each commission a conversion earned (level 0 and parents' overrides).
    public static func commissionsCreated(in db: Database, _ conversion: RecordedConversion, programID: Int64, now: Int64) throws {
        for commission in conversion.commissions {
            try commissionEvent(in: db, type: "commission.created", commissionID: commission.id, extra: [:], now: now)
        }
    }

    /// `commission.reversed`: some or all of a commission taken back (a refund, or a reviewer's rejection).
    public static func commissionReversed(in db: Database, commissionID: Int64, amount: Int64, remaining: Int64, now: Int64) throws {
        try commissionEvent(in: db, type: "commission.reversed", commissionID: commissionID,
                            extra: ["reversed_amount": amount, "remaining_amount": remaining], now: now)
    }

    /// A commission's fields as every commission event carries them, plus `extra`.
    static func commissionEvent(in db: Database, type: String, commissionID id: Int64, extra: [String: any Sendable], now: Int64) throws {
        guard let row = try db.queryOne("""
            SELECT c.id, c.program_id, c.partner_id, c.conversion_id, v.external_id, c.level, c.amount, c.currency, c.status, c.rule,
                   c.hold_until
            FROM commissions c JOIN conversions v ON v.id = c.conversion_id WHERE c.id = ?
            """, [id]) else { return }
        let programID: Int64 = try row["program_id"]
        let partnerID: Int64 = try row["partner_id"]
        var data: [String: any Sendable] = ["id": id, "partner_id": partnerID, "conversion_id": try row["conversion_id"] as Int64]
        data["conversion_external_id"] = try row["external_id"] as String
        data["level"] = try row["level"] as Int64
        data["amount"] = try row["amount"] as Int64
        data["currency"] = try row["currency"] as String
        data["status"] = try row["status"] as String
        data["rule"] = try row["rule"] as String
        data["hold_until"] = rfc3339(try row["hold_until"] as Int64)
        data.merge(extra) { _, new in new }
        try enqueue(in: db, programID: programID, partnerID: partnerID, type: type, data: data, now: now)
    }

    /// `conversion.refunded`, with what each commission gave back.
    public static func conversionRefunded(in db: Database, programID: Int64, partnerID: Int64?, _ refund: RefundRecorder.Refund, now: Int64) throws {
        let reversals: [[String: any Sendable]] = refund.reversals.map {
            ["commission_id": $0.commissionID, "partner_id": $0.partnerID, "amount": $0.amount]
        }
        let data: [String: any Sendable] = ["id": refund.id, "conversion_id": refund.conversionID, "external_id": refund.externalID,
                                            "amount": refund.amount, "currency": refund.currency, "partner_id": optional(partnerID),
                                            "reversals": reversals]
        // The partner's postback sees its own reversals only, not its upline's.
        var own = data
        own["reversals"] = zip(refund.reversals, reversals).filter { $0.0.partnerID == partnerID }.map(\.1)
        try enqueue(in: db, programID: programID, partnerID: partnerID, type: "conversion.refunded", data: data, postbackData: own, now: now)
    }

    /// `payout.created` for each payout of a new batch.
    public static func payoutCreated(in db: Database, programID: Int64, _ payout: PayoutStore.Payout, now: Int64) throws {
        let data: [String: any Sendable] = ["id": payout.id, "batch_id": payout.batchID, "partner_id": payout.partnerID, "amount": payout.amount,
                                            "currency": payout.currency, "method": payout.method, "status": payout.status,
                                            "created_at": rfc3339(payout.createdAt)]
        try enqueue(in: db, programID: programID, partnerID: payout.partnerID, type: "payout.created", data: data, now: now)
    }

    /// `message.created`: a message in a partner's thread, from either side. The body is included: the receivers
    /// are the program itself and that partner's own postbacks, both already parties to the thread.
    public static func messageCreated(in db: Database, programID: Int64, partnerID: Int64, threadID: Int64, messageID: Int64,
                                      subject: String, side: String, body: String, now: Int64) throws {
        let data: [String: any Sendable] = ["id": messageID, "thread_id": threadID, "partner_id": partnerID, "subject": subject,
                                            "from": side, "body": body, "created_at": rfc3339(now)]
        try enqueue(in: db, programID: programID, partnerID: partnerID, type: "message.created", data: data, now: now)
    }
}
