import Foundation
import PortalSecurity
import Store

/// Records a conversion in one transaction: idempotency on `external_id`, attribution, the commission of the
/// credited partner and the overrides of its parents, review flags, ledger entries and daily totals. Any
/// failure rolls everything back, so a conversion is either stored whole or not at all.
public struct ConversionRecorder: Sendable {
    /// Key for `AddressHash` (customer address against the partner's sign-in addresses).
    let addressSecret: [UInt8]
    public var fraudRules = FraudFlags()
    private let ledger = LedgerStore()
    private let rules = CommissionRuleStore()

    public init(addressSecret: [UInt8]) {
        self.addressSecret = addressSecret
    }

    public enum Outcome: Sendable, Equatable {
        /// Stored now: `201`.
        case created(RecordedConversion)
        /// The same `external_id` and body as before: `200` with the stored conversion.
        case replayed(RecordedConversion)
    }

    public enum Failure: Error, Equatable {
        case invalid([String: [String]])
        /// The `external_id` exists with a different body: `409`.
        case conflict
        case programNotFound
    }

    public func record(in db: Database, programID: Int64, _ conversion: NewConversion, now: Int64) throws -> Outcome {
        var errors = conversion.problems(now: now)
        guard let program = try ProgramSettings.load(in: db, programID: programID) else { throw Failure.programNotFound }
        if let currency = conversion.currency, Currency.isWellFormed(currency), currency != program.currency {
            errors["currency", default: []].append("must be the program's currency, \(program.currency)")
        }
        guard errors.isEmpty else { throw Failure.invalid(errors) }

        if let existing = try db.queryOne("SELECT id, request_hash FROM conversions WHERE program_id = ? AND external_id = ?",
                                          [programID, conversion.externalID]) {
            guard ConstantTime.equals(try existing["request_hash"] as [UInt8], conversion.requestHash) else { throw Failure.conflict }
            guard let stored = try ConversionStore().conversion(in: db, id: try existing["id"]) else { throw Failure.conflict }
            return .replayed(stored)
        }

        let occurredAt = conversion.occurredAt ?? now
        let references = ConversionReferences(clickID: conversion.clickID, coupon: conversion.coupon, customerID: conversion.customerID,
                                              linkCode: conversion.linkCode, partnerID: conversion.partnerID, occurredAt: occurredAt)
        let facts = try AttributionFacts.prefetch(in: db, programID: programID, references)
        let lookups = facts.lookups(program: program)
        let attribution = Attribution.decide(references, lookups: lookups)
        let creditedClick = attribution.partnerID == nil ? nil : Attribution.creditedClick(references, lookups: lookups)
        let clickRow = creditedClick.flatMap { facts.clickRows[$0.id] }
        var linkID: Int64 = 0
        if let clickRow {
            linkID = clickRow.linkID
        } else if case .partner(_, .link) = attribution {
            linkID = facts.linkID ?? 0
        }
        let customerID = Attribution.present(conversion.customerID) ?? Attribution.present(creditedClick?.customerID)

        var source: String?
        if case .partner(_, let s) = attribution { source = s.rawValue }
        try db.execute("""
            INSERT INTO conversions (program_id, external_id, type, amount, currency, partner_id, source, click_id, link_id, sub_id,
                                     customer_id, product_sku, occurred_at, created_at, request_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [programID, conversion.externalID, conversion.type.rawValue, conversion.amount, program.currency, attribution.partnerID,
                  source, creditedClick.flatMap { Int64($0.id) }, linkID == 0 ? nil : linkID, clickRow?.sub1 ?? "", customerID,
                  conversion.productSKU, occurredAt, now, conversion.requestHash])
        let conversionID = db.lastInsertRowID

        // Tie the customer to the click that brought them, for first/last-click among their clicks next time.
        if let customerID, let clickID = creditedClick.flatMap({ Int64($0.id) }) {
            try db.execute("UPDATE clicks SET customer_id = ? WHERE id = ? AND customer_id IS NULL", [customerID, clickID])
        }
        var firstConversionAt = occurredAt
        if let customerID {
            try db.execute("""
                INSERT INTO customers (program_id, customer_id, partner_id, first_conversion_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (program_id, customer_id) DO UPDATE SET
                    partner_id = ifnull(customers.partner_id, excluded.partner_id),
                    first_conversion_at = min(customers.first_conversion_at, excluded.first_conversion_at)
                """, [programID, customerID, attribution.partnerID, occurredAt])
            firstConversionAt = try db.queryValue("SELECT first_conversion_at FROM customers WHERE program_id = ? AND customer_id = ?",
                                                  [programID, customerID], as: Int64.self) ?? occurredAt
        }

        var commissionTotal: Int64 = 0
        if let partnerID = attribution.partnerID {
            commissionTotal = try earn(in: db, program: program, conversionID: conversionID, partnerID: partnerID, conversion: conversion,
                                       occurredAt: occurredAt, firstConversionAt: firstConversionAt, customerID: customerID,
                                       visitor: clickRow?.visitor, clickTime: creditedClick?.time, now: now)
        }
        if let partnerID = attribution.partnerID {
            let campaign = linkID == 0 ? "" : (try db.queryValue("SELECT campaign FROM links WHERE id = ?", [linkID], as: String.self) ?? "")
            try DailyStats.add(in: db, programID: programID, partnerID: partnerID, at: occurredAt, linkID: linkID, campaign: campaign,
                               subID: clickRow?.sub1 ?? "", leads: conversion.type == .lead ? 1 : 0, sales: conversion.type == .sale ? 1 : 0,
                               revenue: conversion.type == .sale ? conversion.amount ?? 0 : 0, commission: commissionTotal)
        }
        guard let stored = try ConversionStore().conversion(in: db, id: conversionID) else { throw Failure.programNotFound }
        try WebhookEvents.conversionCreated(in: db, programID: programID, stored, now: now)
        try WebhookEvents.commissionsCreated(in: db, stored, programID: programID, now: now)
        // Approved at once (hold 0): announced after the conversion and commission that it approves.
        for commission in stored.commissions where commission.status == "approved" {
            try WebhookEvents.commissionApproved(in: db, commissionID: commission.id, now: now)
        }
        return .created(stored)
    }

    /// The credited partner's commission and its parents' overrides; returns the partner's own (level 0) amount.
    private func earn(in db: Database, program: ProgramSettings, conversionID: Int64, partnerID: Int64, conversion: NewConversion,
                      occurredAt: Int64, firstConversionAt: Int64, customerID: String?, visitor: [UInt8]?, clickTime: Int64?,
                      now: Int64) throws -> Int64 {
        guard let partner = try db.queryOne("SELECT email, group_name FROM partners WHERE id = ?", [partnerID]) else { return 0 }
        let group: String = try partner["group_name"]
        let month = CalendarMonth(containing: occurredAt)
        // The month's net sales so far, from the daily rollups (revenue there is net of refunds, by the day the
        // sale occurred): a few rows per day, where summing conversions would read every sale of a busy partner.
        // This conversion's own revenue is added to the rollups only after its commission is decided.
        let volumeBefore: Int64 = try db.queryValue("""
            SELECT ifnull(sum(revenue), 0) FROM daily_stats WHERE partner_id = ? AND day >= ? AND day < ?
            """, [partnerID, DailyStats.day(of: month.start), DailyStats.day(of: month.end)], as: Int64.self) ?? 0
        let months = RecurringWindow.monthsElapsed(from: Date(timeIntervalSince1970: TimeInterval(firstConversionAt)),
                                                   to: Date(timeIntervalSince1970: TimeInterval(occurredAt)))
        let facts = ConversionFacts(event: conversion.type, amount: conversion.amount, partnerID: partnerID,
                                    partnerGroup: group.isEmpty ? nil : group, productSKU: conversion.productSKU,
                                    monthlyVolumeBefore: volumeBefore, monthsSinceFirstConversion: months)
        let programRules = try rules.rules(in: db, programID: program.id)
        guard let rule = RuleSelector.select(rules: programRules, for: facts),
              let amount = try CommissionCalculator.commission(for: facts, rule: rule) else { return 0 }

        let flags = fraudRules.evaluate(try signals(in: db, program: program, partnerID: partnerID, partnerEmail: try partner["email"],
                                                    conversion: conversion, occurredAt: occurredAt, customerID: customerID,
                                                    visitor: visitor, clickTime: clickTime, conversionID: conversionID))
        let holdUntil = occurredAt + program.holdDays * 86_400
        let ruleName = rule.id == 0 ? "program_default" : "rule_\(rule.id)"
        let commissionID = try insertCommission(in: db, program: program, partnerID: partnerID, conversionID: conversionID, level: 0,
                                                amount: amount, ruleID: rule.id == 0 ? nil : rule.id, rule: ruleName, flagged: !flags.isEmpty,
                                                holdUntil: holdUntil, now: now)
        for flag in flags {
            try db.execute("INSERT INTO commission_flags (commission_id, kind, reason, created_at) VALUES (?, ?, ?, ?)",
                           [commissionID, flag.kind.rawValue, flag.reason, now])
        }

        // Overrides go up the chain of approved parents: a parent who cannot earn ends the chain.
        var parents: [Int64] = []
        var current = partnerID
        while parents.count < program.overrideDepth,
              let row = try db.queryOne("""
                SELECT p.id, p.status FROM partners c JOIN partners p ON p.id = c.parent_partner_id WHERE c.id = ? AND p.program_id = ?
                """, [current, program.id]),
              (try row["status"] as String) == PartnerStatus.approved.rawValue {
            let parent: Int64 = try row["id"]
            parents.append(parent)
            current = parent
        }
        for override in try SubAffiliateOverrides.chain(commission: amount, parents: parents, overrideBasisPoints: program.overrideBasisPoints,
                                                        depthLimit: program.overrideDepth) {
            _ = try insertCommission(in: db, program: program, partnerID: override.partnerID, conversionID: conversionID, level: override.level,
                                     amount: override.amount, ruleID: nil, rule: "sub_affiliate_override", flagged: !flags.isEmpty,
                                     holdUntil: holdUntil, now: now)
            try DailyStats.add(in: db, programID: program.id, partnerID: override.partnerID, at: occurredAt, linkID: 0, campaign: "",
                               subID: "", commission: override.amount)
        }
        return amount
    }

    private func insertCommission(in db: Database, program: ProgramSettings, partnerID: Int64, conversionID: Int64, level: Int,
                                  amount: Int64, ruleID: Int64?, rule: String, flagged: Bool, holdUntil: Int64, now: Int64) throws -> Int64 {
        try db.execute("""
            INSERT INTO commissions (program_id, partner_id, conversion_id, level, amount, currency, rule_id, rule, status, review, hold_until, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
            """, [program.id, partnerID, conversionID, level, amount, program.currency, ruleID, rule, flagged ? "flagged" : nil, holdUntil, now])
        let id = db.lastInsertRowID
        try ledger.earn(in: db, programID: program.id, partnerID: partnerID, commissionID: id, amount: amount, now: now)
        // hold_days 0 approves at once; a flagged commission always waits for a reviewer.
        if !flagged && holdUntil <= now {
            try ledger.approve(in: db, commissionID: id, now: now, announce: false)
        }
        return id
    }

    private func signals(in db: Database, program: ProgramSettings, partnerID: Int64, partnerEmail: String, conversion: NewConversion,
                         occurredAt: Int64, customerID: String?, visitor: [UInt8]?, clickTime: Int64?, conversionID: Int64) throws -> FraudSignals {
        let team: [String] = try db.query("""
            SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.partner_id = ?
            """, [partnerID]).map { try $0["email"] }
        var signInHashes: [[UInt8]] = []
        if let ip = conversion.customerIP, !ip.isEmpty {
            let addresses: [String] = try db.query("""
                SELECT DISTINCT s.address FROM sessions s JOIN memberships m ON m.user_id = s.user_id
                WHERE m.partner_id = ? AND s.address <> ''
                UNION
                SELECT DISTINCT a.address FROM login_attempts a JOIN users u ON u.email = a.email JOIN memberships m ON m.user_id = u.id
                WHERE m.partner_id = ? AND a.succeeded = 1
                """, [partnerID, partnerID]).map { try $0["address"] }
            signInHashes = addresses.map { AddressHash.compute(ip: $0, secret: addressSecret) }
        }
        var clickTimes: [Int64] = []
        if let visitor, let clickTime {
            // The visitor's clicks on this partner's links around the credited click, through the (partner, time)
            // index: a flood is a burst, so the detector's window either side of that click is where it shows.
            // (An index on the visitor hash would be random inserts on the hottest table.)
            let window = fraudRules.floodDetector.window
            clickTimes = try db.query("""
                SELECT at FROM clicks WHERE partner_id = ? AND at BETWEEN ? AND ? AND visitor = ?
                """, [partnerID, clickTime - window, clickTime + window, visitor]).map { try $0["at"] }
        }
        var others: [(partnerID: Int64, occurredAt: Int64)] = []
        if let customerID {
            others = try db.query("""
                SELECT partner_id, occurred_at FROM conversions
                WHERE program_id = ? AND customer_id = ? AND partner_id IS NOT NULL AND id <> ?
                """, [program.id, customerID, conversionID]).map { (try $0["partner_id"], try $0["occurred_at"]) }
        }
        return FraudSignals(partnerID: partnerID, occurredAt: occurredAt, customerEmail: conversion.customerEmail,
                            partnerEmails: [partnerEmail] + team,
                            conversionAddressHash: conversion.customerIP.flatMap { $0.isEmpty ? nil : AddressHash.compute(ip: $0, secret: addressSecret) },
                            partnerSignInAddressHashes: signInHashes, visitorClickTimes: clickTimes, customerConversions: others)
    }
}

/// A UTC calendar month as unix-second bounds `[start, end)`, for tiered rules' monthly volume.
struct CalendarMonth {
    let start: Int64
    let end: Int64

    init(containing seconds: Int64) {
        let (year, month, _) = CivilDate.ymd(days: DailyStats.day(of: seconds))
        start = CivilDate.days(year: year, month: month, day: 1) * 86_400
        end = (month == 12 ? CivilDate.days(year: year + 1, month: 1, day: 1) : CivilDate.days(year: year, month: month + 1, day: 1)) * 86_400
    }
}
