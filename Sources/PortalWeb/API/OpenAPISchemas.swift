import Foundation
import PortalCore

extension OpenAPIDocument {
    /// `components.schemas`: the shapes `APIJSON` and the controllers write and read.
    enum Schemas {
        typealias Schema = [String: Any]

        static func object(_ properties: [String: Schema], required: [String] = [], additional: Bool = true) -> Schema {
            var schema: Schema = ["type": "object", "properties": properties]
            if !required.isEmpty { schema["required"] = required }
            if !additional { schema["additionalProperties"] = false }
            return schema
        }

        static var id: Schema { ["type": "integer", "format": "int64"] }
        static var nullableID: Schema { ["type": ["integer", "null"], "format": "int64"] }
        static var string: Schema { ["type": "string"] }
        static var nullableString: Schema { ["type": ["string", "null"]] }
        static var time: Schema { ["type": "string", "format": "date-time"] }
        static var nullableTime: Schema { ["type": ["string", "null"], "format": "date-time"] }
        static var integer: Schema { ["type": "integer", "format": "int64"] }
        /// Money: an integer count of the currency's minor unit (1999 = 19.99 USD).
        static var amount: Schema { ["type": "integer", "format": "int64", "description": "Minor units of `currency` (1999 = 19.99 USD)"] }
        static var nullableAmount: Schema { ["type": ["integer", "null"], "format": "int64", "description": "Minor units of `currency`"] }
        static var currency: Schema { ["type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217, upper case"] }
        static func strings(_ values: [String]) -> Schema { ["type": "string", "enum": values] }
        static func array(_ items: Schema) -> Schema { ["type": "array", "items": items] }
        static func ref(_ name: String) -> Schema { ["$ref": "#/components/schemas/\(name)"] }

        static func all() -> [String: Any] {
            var schemas: [String: Any] = [:]
            schemas.merge(general(), uniquingKeysWith: { first, _ in first })
            schemas.merge(partners(), uniquingKeysWith: { first, _ in first })
            schemas.merge(engine(), uniquingKeysWith: { first, _ in first })
            schemas.merge(webhooks(), uniquingKeysWith: { first, _ in first })
            schemas.merge(programData(), uniquingKeysWith: { first, _ in first })
            return schemas
        }

        static func general() -> [String: Any] {
            let errors: Schema = ["type": "object", "additionalProperties": array(string), "description": "Messages per field"]
            let problem = object(["type": ["type": "string", "format": "uri"], "title": string, "status": ["type": "integer"], "detail": string,
                                  "errors": errors, "request_id": ["type": "string", "description": "The same as the `X-Request-Id` header"]],
                                 required: ["type", "title", "status", "detail"])
            return [
                "Problem": problem,
                "Money": object(["amount": amount, "currency": currency], required: ["amount", "currency"]),
                "Empty": object([:], additional: false),
                "Reason": object(["reason": ["type": "string", "maxLength": 1000]], additional: false),
                "MarkPaid": object(["reference": ["type": "string", "maxLength": 200]], required: ["reference"], additional: false),
                "MarkFailed": object(["reason": ["type": "string", "maxLength": 1000]], required: ["reason"], additional: false),
            ]
        }

        static func partners() -> [String: Any] {
            let payoutMethod = strings(["paypal", "bank", "wise", "manual"])
            let payoutIn = object(["method": payoutMethod, "paypal_email": string, "account_holder": string, "iban": string, "bic": string,
                                   "account_number": string, "routing_number": string, "bank_name": string, "country": string,
                                   "wise_email": string, "note": string], required: ["method"], additional: false)
            let payoutOut: Schema = ["type": ["object", "null"], "properties": ["method": payoutMethod, "recipient": string] as Schema,
                                     "description": "The payout method with a masked recipient; null when none is set"]
            let partner = object(["id": id, "email": string, "name": string, "company": string, "website": string,
                                  "status": strings(["pending", "approved", "rejected", "suspended"]), "status_reason": string,
                                  "parent_partner_id": nullableID, "group": nullableString, "payout": payoutOut,
                                  "payout_threshold": amount, "created_at": time],
                                 required: ["id", "email", "name", "status", "parent_partner_id", "group", "created_at"])
            var writable: [String: Schema] = ["email": ["type": "string", "maxLength": 254], "name": ["type": "string", "maxLength": 120],
                                              "company": ["type": "string", "maxLength": 120], "website": ["type": "string", "maxLength": 2000],
                                              "group": ["type": "string", "maxLength": 60], "parent_partner_id": nullableID,
                                              "payout": payoutIn, "payout_threshold": amount]
            let update = object(writable, additional: false)
            writable["status"] = strings(["pending", "approved"])
            let create = object(writable, required: ["email", "name"], additional: false)
            let link = object(["id": id, "code": string, "url": ["type": "string", "format": "uri", "description": "The full …/r/{code} tracking URL"],
                               "destination_url": string, "campaign": string],
                              required: ["id", "code", "url", "destination_url", "campaign"])
            let linkCreate = object(["destination_url": nullableString, "campaign": nullableString, "code": nullableString])
            let scopes = array(strings(["reports:read", "links:write", "webhooks:write", "messages:write"]))
            let keyCreated = object(["id": id, "key": ["type": "string", "pattern": "^pk_"], "scopes": scopes], required: ["id", "key", "scopes"])
            let key = object(["id": id, "prefix": string, "scopes": array(string), "created_at": time, "last_used_at": nullableTime,
                              "revoked_at": nullableTime], required: ["id", "prefix", "scopes", "created_at"])
            let balance = object(["currency": currency, "pending": amount, "available": amount, "paid": amount],
                                 required: ["currency", "pending", "available", "paid"])
            let adjustmentCreate = object(["amount": ["type": "integer", "format": "int64", "description": "Non-zero minor units; negative debits"],
                                           "currency": currency, "reason": ["type": "string", "maxLength": 500]],
                                          required: ["amount", "reason"], additional: false)
            let adjustment = object(["amount": amount, "currency": currency, "reason": string, "balance": ref("Balance")],
                                    required: ["amount", "currency", "reason", "balance"])
            return [
                "Partner": partner, "PartnerCreate": create, "PartnerUpdate": update, "Link": link, "LinkCreate": linkCreate,
                "Coupon": object(["id": id, "code": string, "partner_id": id], required: ["id", "code", "partner_id"]),
                "CouponCreate": object(["code": ["type": "string", "maxLength": 64]], required: ["code"], additional: false),
                "PartnerKeyCreate": object(["scopes": scopes], required: ["scopes"], additional: false),
                "PartnerKeyCreated": keyCreated, "PartnerKey": key, "Balance": balance,
                "AdjustmentCreate": adjustmentCreate, "Adjustment": adjustment,
            ]
        }

        static func engine() -> [String: Any] {
            let commission = object(["id": id, "partner_id": id, "amount": amount, "currency": currency, "status": string,
                                     "level": ["type": "integer", "description": "0 the partner's own; 1 a parent's override"], "rule": string,
                                     "conversion_id": id, "external_id": string, "flagged": ["type": "boolean"], "hold_until": time,
                                     "created_at": time],
                                    required: ["id", "partner_id", "amount", "currency", "status", "level", "rule"])
            let conversion = object(["id": id, "external_id": string, "partner_id": nullableID, "type": strings(["sale", "lead"]),
                                     "amount": nullableAmount, "currency": currency, "status": string, "refunded_amount": amount,
                                     "occurred_at": time, "commissions": array(ref("Commission"))],
                                    required: ["id", "external_id", "partner_id", "type", "amount", "currency", "status", "commissions"])
            let conversionCreate = object(["external_id": ["type": "string", "maxLength": 200], "type": strings(["sale", "lead"]),
                                           "amount": amount, "currency": currency,
                                           "click_id": ["type": ["string", "integer"]] as Schema, "coupon": string, "link_code": string,
                                           "partner_id": id, "customer_id": string, "customer_email": string, "customer_ip": string,
                                           "product_sku": string, "occurred_at": time],
                                          required: ["external_id", "type"], additional: false)
            let reversal = object(["commission_id": id, "partner_id": id, "amount": amount], required: ["commission_id", "partner_id", "amount"])
            let refund = object(["id": id, "conversion_id": id, "external_id": string, "amount": amount, "currency": currency,
                                 "reversals": array(reversal)],
                                required: ["id", "conversion_id", "external_id", "amount", "currency", "reversals"])
            let payout = object(["id": id, "batch_id": id, "partner_id": id, "amount": amount, "currency": currency, "method": string,
                                 "status": strings(["pending", "paid", "failed"]), "reference": string, "failure_reason": string,
                                 "created_at": time, "settled_at": nullableTime],
                                required: ["id", "partner_id", "amount", "currency", "method", "status"])
            let detail: Schema = ["allOf": [ref("Payout"), object(["commissions": array(ref("Commission"))], required: ["commissions"])]]
            let skipped = object(["partner_id": id, "reason": string], required: ["partner_id", "reason"])
            let batch = object(["id": nullableID, "payouts": array(ref("Payout")), "skipped": array(skipped)],
                               required: ["id", "payouts", "skipped"])
            let row = object(["period": string, "clicks": integer, "unique_clicks": integer, "leads": integer, "sales": integer,
                              "revenue": amount, "commission": amount],
                             required: ["period", "clicks", "unique_clicks", "leads", "sales", "revenue", "commission"])
            let report = object(["from": ["type": "string", "format": "date"], "to": ["type": "string", "format": "date"],
                                 "granularity": strings(["day", "week", "month"]), "data": array(row)],
                                required: ["from", "to", "granularity", "data"])
            return [
                "Commission": commission, "Conversion": conversion, "ConversionCreate": conversionCreate,
                "RefundCreate": object(["amount": amount], additional: false), "Refund": refund,
                "Payout": payout, "PayoutDetail": detail, "PayoutBatch": batch, "Report": report,
            ]
        }
    
        static func webhooks() -> [String: Any] {
            let events = array(strings(WebhookStore.eventTypes))
            let endpointProperties: [String: Schema] = [
                "id": id, "url": string, "events": events, "partner_id": nullableID, "status": strings(["enabled", "disabled"]),
                "disabled_reason": nullableString, "created_at": time, "last_success_at": nullableTime,
                "previous_secret_expires_at": nullableTime,
            ]
            var withSecret = endpointProperties
            withSecret["secret"] = ["type": "string", "pattern": "^whsec_"]
            let required = ["id", "url", "events", "status", "created_at"]
            let delivery: [String: Schema] = [
                "id": id, "event_id": string, "event_type": strings(WebhookStore.eventTypes),
                "status": strings(["pending", "retrying", "delivered", "failed"]), "attempts": integer,
                "last_status": ["type": ["integer", "null"]], "last_error": string, "created_at": time, "next_attempt_at": nullableTime,
                "last_attempt_at": nullableTime, "delivered_at": nullableTime,
                "payload": ["type": "string", "description": "The exact JSON body sent"],
            ]
            return [
                "WebhookCreate": object(["url": ["type": "string", "maxLength": 2000, "description": "http:// or https://"],
                                         "events": ["type": "array", "items": strings(WebhookStore.eventTypes),
                                                    "description": "Empty or absent: every event"] as Schema],
                                        required: ["url"], additional: false),
                "WebhookRotate": object(["overlap_seconds": ["type": "integer", "minimum": 0, "maximum": 604_800]], additional: false),
                "WebhookEndpoint": object(endpointProperties, required: required),
                "WebhookEndpointWithSecret": object(withSecret, required: required + ["secret"]),
                "WebhookDelivery": object(delivery, required: ["id", "event_id", "event_type", "status", "attempts", "created_at"]),
            ]
        }
    
        static func programData() -> [String: Any] {
            let nullableInteger: Schema = ["type": ["integer", "null"]]
            let file = object(["id": id, "variant": strings(["original", "thumbnail", "mobile"]), "content_type": string, "file_name": string,
                               "width": nullableInteger, "height": nullableInteger, "byte_size": integer],
                              required: ["id", "variant", "content_type", "file_name", "byte_size"])
            let kinds = strings(["creative", "template", "product", "campaign", "training", "guideline", "page"])
            let resource = object(["id": id, "kind": kinds, "title": string, "description": string, "campaign": string, "channel": string,
                                   "group": nullableString, "starts_at": nullableTime, "ends_at": nullableTime, "created_at": time,
                                   "files": array(file)],
                                  required: ["id", "kind", "title", "files", "created_at"])
            let threadProperties: [String: Schema] = ["id": id, "partner_id": id, "subject": string, "created_at": time,
                                                      "last_message_at": time, "message_count": integer]
            var detail = threadProperties
            detail["messages"] = array(object(["id": id, "from": strings(["program", "partner"]), "body": string, "created_at": time],
                                              required: ["id", "from", "body", "created_at"]))
            let threadRequired = ["id", "partner_id", "subject", "created_at", "last_message_at", "message_count"]
            return [
                "Group": object(["name": string, "partners": integer, "approved_partners": integer], required: ["name", "partners"]),
                "Resource": resource,
                "Thread": object(threadProperties, required: threadRequired),
                "ThreadDetail": object(detail, required: threadRequired + ["messages"]),
                "ThreadCreate": object(["subject": ["type": "string", "maxLength": 200], "body": ["type": "string", "maxLength": 20_000]],
                                       required: ["subject", "body"], additional: false),
                "ReplyCreate": object(["body": ["type": "string", "maxLength": 20_000]], required: ["body"], additional: false),
            ]
        }
    }
}
