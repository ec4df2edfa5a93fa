import Foundation
import PortalSecurity

/// How a partner is paid (CONTRACTS.md `payout.method`).
public enum PayoutMethod: String, Sendable, Equatable, CaseIterable {
    case paypal, bank, wise, manual
}

/// A payout method and its details, validated; sealed at rest with `SecretBox` (see `PayoutDetailsVault`).
public struct PayoutDetails: Sendable, Equatable {
    public var method: PayoutMethod
    /// The method's fields, e.g. `paypal_email`; `bank`: `account_holder`, `iban` (or `account_number` with
    /// `routing_number`), `bic`?; `wise`: `wise_email`; `manual`: `note`?.
    public var fields: [String: String]

    public init(method: PayoutMethod, fields: [String: String]) {
        self.method = method
        self.fields = fields
    }

    /// Which fields each method takes; anything else is refused rather than stored unseen.
    static let allowedFields: [PayoutMethod: Set<String>] = [
        .paypal: ["paypal_email"],
        .bank: ["account_holder", "iban", "bic", "account_number", "routing_number", "bank_name", "country"],
        .wise: ["wise_email", "account_holder"],
        .manual: ["note"],
    ]

    /// The detail fields a method takes.
    public static func allowedFieldNames(for method: PayoutMethod) -> Set<String> { allowedFields[method] ?? [] }

    /// Field → messages, keyed `payout.<field>` for the API's `errors`; empty when acceptable.
    public func problems() -> [String: [String]] {
        var errors: [String: [String]] = [:]
        let allowed = Self.allowedFields[method] ?? []
        for (name, value) in fields {
            if !allowed.contains(name) { errors["payout.\(name)", default: []].append("is not a field of the \(method.rawValue) method") }
            if value.count > 200 { errors["payout.\(name)", default: []].append("must be at most 200 characters") }
        }
        func require(_ name: String) -> String? {
            guard let value = fields[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                errors["payout.\(name)", default: []].append("is required for \(method.rawValue) payouts")
                return nil
            }
            return value
        }
        switch method {
        case .paypal:
            if let email = require("paypal_email"), !EmailMessage.isPlausibleAddress(email) { errors["payout.paypal_email", default: []].append("must be an e-mail address") }
        case .wise:
            if let email = require("wise_email"), !EmailMessage.isPlausibleAddress(email) { errors["payout.wise_email", default: []].append("must be an e-mail address") }
        case .bank:
            _ = require("account_holder")
            if let iban = fields["iban"], !iban.isEmpty {
                if !Self.isValidIBAN(iban) { errors["payout.iban", default: []].append("is not a valid IBAN") }
            } else if fields["account_number"]?.isEmpty ?? true || fields["routing_number"]?.isEmpty ?? true {
                errors["payout.iban", default: []].append("is required, or account_number with routing_number")
            }
        case .manual:
            break
        }
        return errors
    }

    /// Where the money goes, in full (for the payout file an admin sends to the bank or PayPal).
    public var recipient: String {
        switch method {
        case .paypal: fields["paypal_email"] ?? ""
        case .wise: fields["wise_email"] ?? ""
        case .bank:
            if let iban = fields["iban"], !iban.isEmpty { Self.compactIBAN(iban) }
            else { "\(fields["routing_number"] ?? "") \(fields["account_number"] ?? "")" }
        case .manual: fields["note"] ?? ""
        }
    }

    /// The recipient with all but the last four characters hidden, for pages and API answers.
    public var maskedRecipient: String {
        let value = recipient
        switch method {
        case .paypal, .wise:
            guard let at = value.firstIndex(of: "@") else { return "••••" }
            return String(value.prefix(1)) + "•••" + String(value[at...])
        case .bank:
            return "•••• " + String(value.suffix(4))
        case .manual:
            return value.isEmpty ? "" : "(note on file)"
        }
    }

    /// ISO 13616: 15–34 characters, country letters, check digits, and the mod-97 check equal to 1.
    public static func isValidIBAN(_ text: String) -> Bool {
        let iban = compactIBAN(text)
        guard (15...34).contains(iban.count), iban.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
              iban.prefix(2).allSatisfy(\.isLetter), iban.dropFirst(2).prefix(2).allSatisfy(\.isNumber) else { return false }
        let rearranged = iban.dropFirst(4) + iban.prefix(4)
        var remainder = 0
        for character in rearranged {
            let value = character.isNumber ? Int(String(character))! : Int(character.asciiValue! - UInt8(ascii: "A")) + 10
            remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97
        }
        return remainder == 1
    }

    static func compactIBAN(_ text: String) -> String {
        text.uppercased().filter { !$0.isWhitespace }
    }

    /// The details as JSON (sorted keys) for sealing.
    func json() throws -> String {
        var object = fields
        object["method"] = method.rawValue
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String],
              let method = object["method"].flatMap(PayoutMethod.init) else { return nil }
        var fields = object
        fields["method"] = nil
        self.init(method: method, fields: fields)
    }
}

/// Seals and opens payout details and recipients. The associated data names the row, so a sealed value copied
/// to another partner's row does not open there.
public struct PayoutDetailsVault: Sendable {
    let box: SecretBox

    public init(key: SecretKey) throws {
        box = SecretBox(key: try SecretKey(bytes: key.derive("payout-details")))
    }

    public func seal(_ details: PayoutDetails, partnerID: Int64) throws -> String {
        try box.encrypt(try details.json(), associatedData: "partners.payout_details:\(partnerID)")
    }

    public func open(_ sealed: String, partnerID: Int64) throws -> PayoutDetails {
        let json = try box.decryptString(sealed, associatedData: "partners.payout_details:\(partnerID)")
        guard let details = PayoutDetails(json: json) else { throw SecretBox.OpenError.authenticationFailed }
        return details
    }

    public func sealRecipient(_ recipient: String, batchID: Int64, partnerID: Int64) throws -> String {
        try box.encrypt(recipient, associatedData: "payouts.recipient:\(batchID):\(partnerID)")
    }

    public func openRecipient(_ sealed: String, batchID: Int64, partnerID: Int64) throws -> String {
        try box.decryptString(sealed, associatedData: "payouts.recipient:\(batchID):\(partnerID)")
    }
}
