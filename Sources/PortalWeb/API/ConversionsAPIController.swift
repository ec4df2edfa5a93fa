import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store

/// `POST /conversions` and `POST /conversions/{external_id}/refunds` (CONTRACTS.md), secret keys only.
/// A conversion is recorded whole in one transaction or not at all; replays of the same `external_id` with the
/// same body answer `200` with the stored object, with another body `409`.
struct ConversionsAPIController {
    let database: DatabasePool
    let recorder: ConversionRecorder

    static let fields: Set<String> = ["external_id", "type", "amount", "currency", "click_id", "coupon", "link_code", "partner_id",
                                      "customer_id", "customer_email", "customer_ip", "product_sku", "occurred_at"]

    func register(on api: RouterGroup) {
        let small = RouteOptions(maxBodySize: 16 * 1024)
        api.post("/conversions", options: small) { request, context in
            let programID = try context.requireProgram()
            let object = try JSONBody.object(request)
            let conversion = try Self.parse(object)
            do {
                let outcome = try database.write { db in
                    try recorder.record(in: db, programID: programID, conversion, now: Int64(Date().timeIntervalSince1970))
                }
                switch outcome {
                case .created(let stored): return JSONBody.response(APIJSON.conversion(stored), status: .created)
                case .replayed(let stored): return JSONBody.response(APIJSON.conversion(stored))
                }
            } catch ConversionRecorder.Failure.invalid(let errors) {
                throw APIProblem.invalid(errors)
            } catch ConversionRecorder.Failure.conflict {
                throw APIProblem(.conflict, "A conversion with this external_id exists with a different body.")
            }
        }
        api.post("/conversions/{external_id}/refunds", options: small) { request, context in
            let programID = try context.requireProgram()
            let externalID = try context.parameters.require("external_id")
            var amount: Int64?
            if !(try request.body.readAll()).isEmpty || request.headers["content-type"] != nil {
                var fields = JSONFields(try JSONBody.object(request), allowed: ["amount"])
                amount = fields.integer("amount")
                guard fields.errors.isEmpty else { throw APIProblem.invalid(fields.errors) }
            }
            do {
                let refund = try database.write { db in
                    try RefundRecorder().refund(in: db, programID: programID, externalID: externalID, amount: amount,
                                                now: Int64(Date().timeIntervalSince1970))
                }
                return JSONBody.response([
                    "id": refund.id, "conversion_id": refund.conversionID, "external_id": refund.externalID, "amount": refund.amount,
                    "currency": refund.currency,
                    "reversals": refund.reversals.map { ["commission_id": $0.commissionID, "partner_id": $0.partnerID, "amount": $0.amount] },
                ], status: .created)
            } catch RefundRecorder.Failure.conversionNotFound {
                throw APIProblem(.notFound, "No conversion with this external_id.")
            } catch RefundRecorder.Failure.invalid(let errors) {
                throw APIProblem.invalid(errors)
            }
        }
    }

    /// The body as a `NewConversion`, or `422` with every field's problem. The request hash is taken over the
    /// parsed object with sorted keys, so a replay whose keys come in another order or with other spacing is
    /// still the same request.
    static func parse(_ object: [String: Any]) throws -> NewConversion {
        var fields = JSONFields(object, allowed: Self.fields)
        let externalID = fields.string("external_id", required: true, maxLength: 200)
        let typeText = fields.string("type", required: true)
        let type = typeText.flatMap(ConversionEvent.init)
        if typeText != nil && type == nil { fields.fail("type", "must be sale or lead") }
        let amount = fields.integer("amount")
        let currency = fields.string("currency", maxLength: 3)
        // click_id may arrive as the number from the redirect's `pp_click` or as a string of it.
        var clickID: String?
        if let value = object["click_id"], !(value is NSNull) {
            if let number = value as? NSNumber, !JSONFields.isBool(value) { clickID = number.stringValue } else { clickID = fields.string("click_id", maxLength: 200) }
        }
        let coupon = fields.string("coupon", maxLength: 200)
        let linkCode = fields.string("link_code", maxLength: 200)
        let partnerID = fields.integer("partner_id")
        let customerID = fields.string("customer_id", maxLength: 200)
        let customerEmail = fields.string("customer_email", maxLength: 254)
        let customerIP = fields.string("customer_ip", maxLength: 64)
        let sku = fields.string("product_sku", maxLength: 200)
        var occurredAt: Int64?
        if let text = fields.string("occurred_at", maxLength: 40) {
            occurredAt = RFC3339.parse(text)
            if occurredAt == nil { fields.fail("occurred_at", "must be an RFC 3339 time such as 2026-11-25T17:00:00Z") }
        }
        guard fields.errors.isEmpty, let externalID, let type else { throw APIProblem.invalid(fields.errors) }
        let canonical = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return NewConversion(externalID: externalID, type: type, amount: amount, currency: currency, clickID: clickID, coupon: coupon,
                             linkCode: linkCode, partnerID: partnerID, customerID: customerID, customerEmail: customerEmail,
                             customerIP: customerIP, productSKU: sku, occurredAt: occurredAt, requestHash: SHA256.hash(Array(canonical)))
    }
}
