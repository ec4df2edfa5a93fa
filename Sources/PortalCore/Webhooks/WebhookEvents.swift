import Foundation
import PortalSecurity
import Store

/// Queues an event for every live endpoint that wants it, in the caller's transaction: the delivery rows exist
/// exactly when the change that caused them does. Program endpoints get all of the program's events they picked;
/// a partner's postback endpoints only events about that partner. Sending happens later (`WebhookDeliverer`).
public enum WebhookEvents {
    /// Returns the event id (`evt_…`), or nil when no endpoint wanted the event (nothing is written then).
    /// `postbackData`, when given, is what a partner's postback endpoints get instead of `data` (the same event id):
    /// the parts of an event that are about other partners left out.
    @discardableResult
    public static func enqueue(in db: Database, programID: Int64, partnerID: Int64?, type: String, data: [String: any Sendable],
                               postbackData: [String: any Sendable]? = nil, now: Int64) throws -> String? {
        let endpoints: [(id: Int64, postback: Bool)] = try db.query("""
            SELECT id, events, partner_id IS NOT NULL AS postback FROM webhook_endpoints
            WHERE program_id = ?1 AND deleted_at IS NULL AND disabled_at IS NULL AND (partner_id IS NULL OR partner_id = ?2)
            ORDER BY id
            """, [programID, partnerID]).compactMap { row in
            let events: String = try row["events"]
            guard events.isEmpty || events.split(separator: " ").contains(Substring(type)) else { return nil }
            return (try row["id"] as Int64, (try row["postback"] as Int64) == 1)
        }
        guard !endpoints.isEmpty else { return nil }
        let eventID = "evt_" + (try SecureRandom.token(bytes: 18))
        let full = try payload(id: eventID, type: type, createdAt: now, data: data)
        let own = try postbackData.map { try payload(id: eventID, type: type, createdAt: now, data: $0) } ?? full
        for endpoint in endpoints {
            try db.execute("""
                INSERT INTO webhook_deliveries (endpoint_id, program_id, event_id, event_type, payload, created_at, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [endpoint.id, programID, eventID, type, endpoint.postback ? own : full, now, now])
        }
        return eventID
    }

    /// The body of CONTRACTS.md: `{"id", "type", "created_at", "data": {…}}`, keys sorted, times RFC 3339 UTC.
    public static func payload(id: String, type: String, createdAt: Int64, data: [String: any Sendable]) throws -> String {
        // Our writer, not JSONSerialization: it bridged every dictionary to NSDictionary and sorted keys by locale,
        // which made queueing an event cost more than recording the conversion (scripts/bench-webhooks).
        let object: [String: Any] = ["id": id, "type": type, "created_at": rfc3339(createdAt), "data": data]
        return String(decoding: JSONWriter.bytes(object), as: UTF8.self)
    }

    /// `2026-11-25T17:00:00Z`.
    public static func rfc3339(_ seconds: Int64) -> String {
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (y, m, d) = CivilDate.ymd(days: day)
        let second = seconds - day * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(y)-\(two(Int64(m)))-\(two(Int64(d)))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }

    /// JSON null for optional fields.
    public static func optional<T: Sendable>(_ value: T?) -> any Sendable { value.map { $0 as any Sendable } ?? NSNull() }

    // MARK: - The engine's events

    /// `conversion.created`, with its commissions (as `POST /conversions` answers).
    public static func conversionCreated(in db: Database, programID: Int64, _ conversion: RecordedConversion, now: Int64) throws {
        let commissions: [[String: any Sendable]] = conversion.commissions.map { c in
            ["id": c.id, "partner_id": c.partnerID, "amount": c.amount, "currency": c.currency, "status": c.status, "level": c.level, "rule": c.rule]
        }
        var data: [String: any Sendable] = ["id": conversion.id, "external_id": conversion.externalID, "partner_id": optional(conversion.partnerID)]
        data["type"] = conversion.type.rawValue
        data["amount"] = optional(conversion.amount)
        data["currency"] = conversion.currency
        data["status"] = conversion.status
        data["occurred_at"] = rfc3339(conversion.occurredAt)
        data["commissions"] = commissions
        // The credited partner's postback sees its own commissions only, not its upline's overrides.
        var own = data
        own["commissions"] = zip(conversion.commissions, commissions).filter { $0.0.partnerID == conversion.partnerID }.map(\.1)
        try enqueue(in: db, programID: programID, partnerID: conversion.partnerID, type: "conversion.created", data: data,
                    postbackData: own, now: now)
    }

    /// `commission.approved` for the commission `id` (read back after the approval, in the same transaction).
    public static func commissionApproved(in db: Database, commissionID id: Int64, now: Int64) throws {
        try commissionEvent(in: db, type: "commission.approved", commissionID: id, extra: [:], now: now)
    }

    /// `payout.paid` / `payout.failed`.
    public static func payoutSettled(in db: Database, programID: Int64, _ payout: PayoutStore.Payout, now: Int64) throws {
        var data: [String: any Sendable] = ["id": payout.id, "batch_id": payout.batchID, "partner_id": payout.partnerID]
        data["amount"] = payout.amount
        data["currency"] = payout.currency
        data["method"] = payout.method
        data["status"] = payout.status
        data["reference"] = payout.reference
        data["failure_reason"] = payout.failureReason
        data["settled_at"] = optional(payout.settledAt.map(rfc3339))
        let type = payout.status == "paid" ? "payout.paid" : "payout.failed"
        try enqueue(in: db, programID: programID, partnerID: payout.partnerID, type: type, data: data, now: now)
    }
}

/// A webhook URL taken apart: scheme http or https, a host, a port, the path with its query. Nil for anything else
/// (user info is refused too: credentials in a URL would end up in logs).
public struct WebhookURL: Sendable, Equatable {
    public let secure: Bool
    public let host: String
    public let port: UInt16
    public let pathAndQuery: String

    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.user == nil, components.password == nil,
              var host = components.host, !host.isEmpty else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        secure = scheme == "https"
        self.host = host
        guard let port = UInt16(exactly: components.port ?? (secure ? 443 : 80)), port != 0 else { return nil }
        self.port = port
        var path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { path += "?" + query }
        pathAndQuery = path
    }

    /// The `Host` header: the host (bracketed when IPv6) and a port that is not the scheme's default.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }
}
