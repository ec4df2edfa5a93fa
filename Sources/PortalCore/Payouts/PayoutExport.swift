/// Payout files: the CSV of CONTRACTS.md and PayPal's Payouts bulk-upload format. Pure.
public enum PayoutExport {
    public struct Row: Sendable, Equatable {
        public let payoutID: Int64
        public let partnerID: Int64
        public let partnerName: String
        public let method: String
        public let recipient: String
        public let amount: Int64
        public let currency: String
        public let reference: String

        public init(payoutID: Int64, partnerID: Int64, partnerName: String, method: String, recipient: String, amount: Int64,
                    currency: String, reference: String) {
            self.payoutID = payoutID
            self.partnerID = partnerID
            self.partnerName = partnerName
            self.method = method
            self.recipient = recipient
            self.amount = amount
            self.currency = currency
            self.reference = reference
        }
    }

    /// `payout_id,partner_id,partner_name,method,recipient,amount,currency,reference`, amounts in major units.
    public static func csv(_ rows: [Row]) -> String {
        var out = "payout_id,partner_id,partner_name,method,recipient,amount,currency,reference\r\n"
        for row in rows {
            out += [String(row.payoutID), String(row.partnerID), field(row.partnerName), field(row.method), field(row.recipient),
                    Currency.majorUnits(row.amount, currency: row.currency), row.currency, field(row.reference)].joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// PayPal Payouts' spreadsheet upload: no header; recipient e-mail, amount, currency, an id unique within the
    /// file (our payout id, so PayPal's report maps back), a note to the recipient. Only PayPal payouts are included.
    public static func paypal(_ rows: [Row], note: String) -> String {
        rows.filter { $0.method == PayoutMethod.paypal.rawValue }.map { row in
            [field(row.recipient), Currency.majorUnits(row.amount, currency: row.currency), row.currency, "payout-\(row.payoutID)", field(note)]
                .joined(separator: ",") + "\r\n"
        }.joined()
    }

    /// RFC 4180 quoting, and a leading `'` before `=`, `+`, `-`, `@`, tab or CR so that a name like `=HYPERLINK(…)`
    /// is text, not a formula, when an accountant opens the file in a spreadsheet (CSV injection).
    public static func field(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
