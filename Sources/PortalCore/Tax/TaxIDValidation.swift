import Foundation

/// A tax identification number, normalised, with the kind of number it is.
public struct TaxID: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case ssn, ein, itin
        /// A foreign (non-US) taxpayer identification number, free-form.
        case tin
        /// An EU VAT id, country prefix included.
        case vat
    }

    public let kind: Kind
    /// Digits only for SSN, EIN and ITIN; the prefix and number without separators for VAT; trimmed for a TIN.
    public let value: String

    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    /// The last four letters or digits: kept in plain text for the masked display.
    public var last4: String { Self.last4(of: value) }

    static func last4(of value: String) -> String {
        String(value.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.suffix(4))
    }

    /// The number with all but its last four characters hidden: `•••-••-6789`, `••-•••6789`, `DE•••••6789`.
    public var masked: String { Self.masked(kind: kind, last4: last4, prefix: kind == .vat ? String(value.prefix(2)) : "") }

    public static func masked(kind: Kind, last4: String, prefix: String = "") -> String {
        switch kind {
        case .ssn, .itin: "•••-••-\(last4)"
        case .ein: "••-•••\(last4)"
        case .tin: "••••\(last4)"
        case .vat: "\(prefix)•••••\(last4)"
        }
    }
}

/// Tax id rules for each form. Pure: text in, a normalised `TaxID` or a message out.
public enum TaxIDValidation {
    public enum Outcome: Sendable, Equatable {
        case valid(TaxID)
        case invalid(String)

        public var taxID: TaxID? {
            if case .valid(let id) = self { return id }
            return nil
        }
    }

    /// W-9: an SSN `XXX-XX-XXXX` or an EIN `XX-XXXXXXX`. Nine bare digits are read as an SSN when `preferEIN` is
    /// false and valid as one, otherwise as an EIN.
    public static func w9(_ text: String, preferEIN: Bool = false) -> Outcome {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.filter { $0 != "-" && $0 != " " }
        guard digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .invalid("Enter a 9-digit SSN (123-45-6789) or EIN (12-3456789).")
        }
        let shape = trimmed.map { $0.isNumber ? "9" : String($0) }.joined()
        switch shape {
        case "999-99-9999":
            return isValidSSN(digits) ? .valid(TaxID(kind: .ssn, value: digits)) : .invalid("This is not a valid SSN.")
        case "99-9999999":
            return isValidEIN(digits) ? .valid(TaxID(kind: .ein, value: digits)) : .invalid("This is not a valid EIN: its first two digits are not an IRS prefix.")
        case "999999999":
            if !preferEIN, isValidSSN(digits) { return .valid(TaxID(kind: .ssn, value: digits)) }
            if isValidEIN(digits) { return .valid(TaxID(kind: .ein, value: digits)) }
            if isValidSSN(digits) { return .valid(TaxID(kind: .ssn, value: digits)) }
            return .invalid("This is neither a valid SSN nor a valid EIN.")
        default:
            return .invalid("Enter a 9-digit SSN (123-45-6789) or EIN (12-3456789).")
        }
    }

    /// SSA rules: area not 000, 666 or 900–999; group not 00; serial not 0000.
    public static func isValidSSN(_ digits: String) -> Bool {
        guard digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let area = Int(digits.prefix(3)), let group = Int(digits.dropFirst(3).prefix(2)), let serial = Int(digits.suffix(4)) else { return false }
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// An ITIN: area 9xx and group 50–65, 70–88, 90–92 or 94–99.
    public static func isValidITIN(_ digits: String) -> Bool {
        guard digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.hasPrefix("9"),
              let group = Int(digits.dropFirst(3).prefix(2)) else { return false }
        return (50...65).contains(group) || (70...88).contains(group) || (90...92).contains(group) || (94...99).contains(group)
    }

    /// The IRS campus prefixes an EIN may start with.
    public static let einPrefixes: Set<String> = Set(
        ([1, 2, 3, 4, 5, 6] + Array(10...16) + Array(20...27) + Array(30...48) + Array(50...68) + Array(71...77) + Array(80...88)
            + Array(90...95) + [98, 99]).map { $0 < 10 ? "0\($0)" : "\($0)" })

    public static func isValidEIN(_ digits: String) -> Bool {
        digits.count == 9 && digits.allSatisfy({ $0.isASCII && $0.isNumber }) && einPrefixes.contains(String(digits.prefix(2)))
    }

    /// W-8BEN and W-8BEN-E: the foreign TIN, 4–30 letters, digits, spaces or dashes (trimmed, spaces collapsed).
    public static func foreignTIN(_ text: String) -> Outcome {
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        guard (4...30).contains(collapsed.count),
              collapsed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }),
              collapsed.contains(where: { $0.isLetter || $0.isNumber }) else {
            return .invalid("Enter 4 to 30 letters, digits, spaces or dashes.")
        }
        return .valid(TaxID(kind: .tin, value: collapsed.uppercased()))
    }

    /// The optional US TIN on a W-8 form: an SSN, ITIN or EIN.
    public static func usTIN(_ text: String) -> Outcome {
        let digits = text.filter { $0 != "-" && $0 != " " }
        guard digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .invalid("Enter a 9-digit US TIN, or leave it empty.") }
        if isValidITIN(digits) { return .valid(TaxID(kind: .itin, value: digits)) }
        if isValidSSN(digits) { return .valid(TaxID(kind: .ssn, value: digits)) }
        if isValidEIN(digits) { return .valid(TaxID(kind: .ein, value: digits)) }
        return .invalid("This is not a valid SSN, ITIN or EIN.")
    }

    /// An EU VAT id: spaces, dots and dashes removed, upper case, the country prefix of an EU member state (Greece
    /// is `EL`) and that state's number format. When `country` is given the prefix must be that country's.
    public static func euVAT(_ text: String, country: String? = nil) -> Outcome {
        let value = EUVAT.normalise(text)
        guard value.count >= 4 else { return .invalid("Enter the VAT id with its country prefix, such as DE123456789.") }
        let prefix = String(value.prefix(2))
        guard let member = EUVAT.country(forPrefix: prefix) else {
            return .invalid("The VAT id must start with the code of an EU member state (such as DE, FR or NL).")
        }
        if let country, !country.isEmpty, country.uppercased() != member {
            return .invalid("The VAT id is from \(member), but the country chosen is \(country.uppercased()).")
        }
        guard let pattern = EUVAT.formats[prefix], matches(String(value.dropFirst(2)), pattern) else {
            return .invalid("This is not a valid \(prefix) VAT id: \(EUVAT.examples[prefix] ?? "check the number").")
        }
        return .valid(TaxID(kind: .vat, value: value))
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return text.wholeMatch(of: regex) != nil
    }
}

/// The EU member states and the format of each one's VAT number (after the prefix).
public enum EUVAT {
    /// ISO 3166 alpha-2 codes of the 27 member states.
    public static let memberStates: Set<String> = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "GR", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
        "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    ]

    /// VAT prefix → the number's pattern.
    public static let formats: [String: String] = [
        "AT": "U[0-9]{8}", "BE": "[01][0-9]{9}", "BG": "[0-9]{9,10}", "CY": "[0-9]{8}[A-Z]", "CZ": "[0-9]{8,10}",
        "DE": "[0-9]{9}", "DK": "[0-9]{8}", "EE": "[0-9]{9}", "EL": "[0-9]{9}", "ES": "[A-Z0-9][0-9]{7}[A-Z0-9]",
        "FI": "[0-9]{8}", "FR": "[A-HJ-NP-Z0-9]{2}[0-9]{9}", "HR": "[0-9]{11}", "HU": "[0-9]{8}",
        "IE": "[0-9]{7}[A-W][A-IW]?|[0-9][A-Z+*][0-9]{5}[A-W]", "IT": "[0-9]{11}", "LT": "[0-9]{9}|[0-9]{12}",
        "LU": "[0-9]{8}", "LV": "[0-9]{11}", "MT": "[0-9]{8}", "NL": "[0-9]{9}B[0-9]{2}", "PL": "[0-9]{10}", "PT": "[0-9]{9}",
        "RO": "[0-9]{2,10}", "SE": "[0-9]{10}01", "SI": "[0-9]{8}", "SK": "[0-9]{10}",
    ]

    /// What a valid number looks like, for the error message.
    public static let examples: [String: String] = [
        "AT": "U and 8 digits", "BE": "10 digits starting with 0 or 1", "BG": "9 or 10 digits", "CY": "8 digits and a letter",
        "CZ": "8 to 10 digits", "DE": "9 digits", "DK": "8 digits", "EE": "9 digits", "EL": "9 digits",
        "ES": "a letter or digit, 7 digits, a letter or digit", "FI": "8 digits", "FR": "2 letters or digits and 9 digits",
        "HR": "11 digits", "HU": "8 digits", "IE": "7 digits and 1 or 2 letters", "IT": "11 digits", "LT": "9 or 12 digits",
        "LU": "8 digits", "LV": "11 digits", "MT": "8 digits", "NL": "9 digits, B and 2 digits", "PL": "10 digits",
        "PT": "9 digits", "RO": "2 to 10 digits", "SE": "12 digits ending in 01", "SI": "8 digits", "SK": "10 digits",
    ]

    /// Upper case without spaces, dots or dashes.
    public static func normalise(_ text: String) -> String {
        text.uppercased().filter { !$0.isWhitespace && $0 != "." && $0 != "-" }
    }

    /// The member state of a VAT prefix (`EL` → `GR`), or nil when the prefix is not a member state's.
    public static func country(forPrefix prefix: String) -> String? {
        if prefix == "EL" { return "GR" }
        if prefix == "GR" { return nil }
        return memberStates.contains(prefix) ? prefix : nil
    }
}
