import Store

/// A program's yearly 1099-NEC style summary: every partner with a current W-9 (a US person), what the program
/// PAID them in the calendar year (UTC; payouts marked paid, by the date they were marked paid — the same rule as
/// `YearlyEarningsStatement`) and whether that reaches the reporting threshold ($600.00). `make` is pure; `load`
/// reads the rows for it. The tax id stays sealed: only its last four characters are ever read here.
public struct NECYearTotals: Sendable, Equatable {
    /// The IRS reporting threshold for nonemployee compensation, in US cents.
    public static let thresholdUSD: Int64 = 60_000

    /// A partner's current W-9, as far as the summary needs it.
    public struct Payee: Sendable, Equatable {
        public let partnerID: Int64
        public let partnerName: String
        public let legalName: String
        public let businessName: String
        public let taxIDType: TaxID.Kind
        public let taxIDLast4: String
        public let addressLine1: String
        public let addressLine2: String
        public let city: String
        public let region: String
        public let postalCode: String
        public let country: String
        public let formStatus: String

        public init(partnerID: Int64, partnerName: String, legalName: String, businessName: String = "", taxIDType: TaxID.Kind,
                    taxIDLast4: String, addressLine1: String = "", addressLine2: String = "", city: String = "", region: String = "",
                    postalCode: String = "", country: String = "US", formStatus: String = "submitted") {
            self.partnerID = partnerID
            self.partnerName = partnerName
            self.legalName = legalName
            self.businessName = businessName
            self.taxIDType = taxIDType
            self.taxIDLast4 = taxIDLast4
            self.addressLine1 = addressLine1
            self.addressLine2 = addressLine2
            self.city = city
            self.region = region
            self.postalCode = postalCode
            self.country = country
            self.formStatus = formStatus
        }

        /// `***-**-6789` (SSN, ITIN), `**-***6789` (EIN): ASCII so the accountant's spreadsheet shows it as typed.
        public var maskedTaxID: String {
            switch taxIDType {
            case .ssn, .itin: "***-**-\(taxIDLast4)"
            case .ein: "**-***\(taxIDLast4)"
            case .tin, .vat: "****\(taxIDLast4)"
            }
        }

        /// One line: street, city, region, postal code.
        public var address: String {
            [addressLine1, addressLine2, city, region, postalCode].filter { !$0.isEmpty }.joined(separator: ", ")
        }
    }

    /// A payout marked paid: who, when (`settled_at`) and how much.
    public struct Payment: Sendable, Equatable {
        public let partnerID: Int64
        public let at: Int64
        public let amount: Int64

        public init(partnerID: Int64, at: Int64, amount: Int64) {
            self.partnerID = partnerID
            self.at = at
            self.amount = amount
        }
    }

    public struct Line: Sendable, Equatable {
        public let payee: Payee
        public let totalPaid: Int64
        public let payouts: Int
        /// Paid at least the threshold in a USD program; always false in another currency (see `thresholdApplies`).
        public let reportable: Bool
    }

    public let year: Int
    public let currency: String
    /// Largest total first, then by partner id.
    public let lines: [Line]

    /// The $600 test only means something when the program pays in US dollars; other currencies are listed with
    /// their totals for the accountant to convert, none flagged.
    public var thresholdApplies: Bool { currency == "USD" }
    public var reportableCount: Int { lines.filter(\.reportable).count }

    /// Totals `payments` inside `year` for each payee (payments of anyone else, or outside the year, are ignored).
    public static func make(year: Int, currency: String, payees: [Payee], payments: [Payment]) -> NECYearTotals {
        let from = YearlyEarningsStatement.start(of: year), to = YearlyEarningsStatement.start(of: year + 1)
        var totals: [Int64: (Int64, Int)] = [:]
        for payment in payments where payment.at >= from && payment.at < to {
            let current = totals[payment.partnerID] ?? (0, 0)
            totals[payment.partnerID] = (current.0 + payment.amount, current.1 + 1)
        }
        let lines = payees.map { payee -> Line in
            let (total, count) = totals[payee.partnerID] ?? (0, 0)
            return Line(payee: payee, totalPaid: total, payouts: count, reportable: currency == "USD" && total >= thresholdUSD)
        }.sorted { ($0.totalPaid, -$0.payee.partnerID) > ($1.totalPaid, -$1.payee.partnerID) }
        return NECYearTotals(year: year, currency: currency, lines: lines)
    }

    /// The program's partners with a current W-9 and their payouts marked paid in `year`.
    public static func load(in db: Database, programID: Int64, year: Int, currency: String) throws -> NECYearTotals {
        let payees = try db.query("""
            SELECT f.partner_id, p.name, f.legal_name, f.business_name, f.tax_id_type, f.tax_id_last4, f.address_line1, f.address_line2,
                   f.city, f.region, f.postal_code, f.country, f.status
            FROM tax_forms f JOIN partners p ON p.id = f.partner_id
            WHERE f.program_id = ? AND p.program_id = ? AND f.kind = 'w9' AND f.superseded_at IS NULL
            ORDER BY f.partner_id
            """, [programID, programID]).map { row in
            Payee(partnerID: try row["partner_id"], partnerName: try row["name"], legalName: try row["legal_name"],
                  businessName: try row["business_name"], taxIDType: TaxID.Kind(rawValue: try row["tax_id_type"]) ?? .tin,
                  taxIDLast4: try row["tax_id_last4"], addressLine1: try row["address_line1"], addressLine2: try row["address_line2"],
                  city: try row["city"], region: try row["region"], postalCode: try row["postal_code"], country: try row["country"],
                  formStatus: try row["status"])
        }
        let from = YearlyEarningsStatement.start(of: year), to = YearlyEarningsStatement.start(of: year + 1)
        let payments = try db.query("""
            SELECT partner_id, settled_at, amount FROM payouts
            WHERE program_id = ? AND status = 'paid' AND settled_at >= ? AND settled_at < ?
            """, [programID, from, to]).map { Payment(partnerID: try $0["partner_id"], at: try $0["settled_at"], amount: try $0["amount"]) }
        return make(year: year, currency: currency, payees: payees, payments: payments)
    }

    /// For the accountant: `partner_id,legal_name,business_name,tin_type,tin_masked,address_line1,address_line2,city,
    /// region,postal_code,country,w9_status,payouts,total_paid,currency,reportable`, amounts in major units; text fields
    /// through `PayoutExport.field` (quoting and the formula-injection guard).
    public var csv: String {
        let header = "partner_id,legal_name,business_name,tin_type,tin_masked,address_line1,address_line2,city,region,postal_code,country,"
            + "w9_status,payouts,total_paid,currency,reportable\r\n"
        var out = header
        for line in lines {
            let payee = line.payee
            let fields: [String] = [
                String(payee.partnerID), PayoutExport.field(payee.legalName), PayoutExport.field(payee.businessName), payee.taxIDType.rawValue,
                PayoutExport.field(payee.maskedTaxID), PayoutExport.field(payee.addressLine1), PayoutExport.field(payee.addressLine2),
                PayoutExport.field(payee.city), PayoutExport.field(payee.region), PayoutExport.field(payee.postalCode), payee.country,
                payee.formStatus, String(line.payouts), Currency.majorUnits(line.totalPaid, currency: currency), currency,
                line.reportable ? "yes" : "no",
            ]
            out += fields.joined(separator: ",") + "\r\n"
        }
        return out
    }
}
