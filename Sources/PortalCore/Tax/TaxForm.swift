import Foundation

/// A tax form as the partner fills it in, before it is stored: `problems()` says what is wrong, field by field.
public struct TaxForm: Sendable, Equatable {
    public var kind: TaxFormKind
    public var legalName: String
    public var businessName: String
    /// ISO 3166 alpha-2.
    public var country: String
    public var addressLine1: String
    public var addressLine2: String
    public var city: String
    public var region: String
    public var postalCode: String
    /// W-9 only.
    public var classification: FederalTaxClassification?
    /// As typed; normalised by `validatedTaxID()`.
    public var taxID: String
    /// W-8 forms only, optional.
    public var usTIN: String
    public var signatureName: String
    public var certified: Bool

    public init(kind: TaxFormKind, legalName: String, businessName: String = "", country: String, addressLine1: String = "",
                addressLine2: String = "", city: String = "", region: String = "", postalCode: String = "",
                classification: FederalTaxClassification? = nil, taxID: String, usTIN: String = "", signatureName: String, certified: Bool) {
        self.kind = kind
        self.legalName = legalName
        self.businessName = businessName
        self.country = country
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.classification = classification
        self.taxID = taxID
        self.usTIN = usTIN
        self.signatureName = signatureName
        self.certified = certified
    }

    /// The tax id checked by the form's rules.
    public func validatedTaxID() -> TaxIDValidation.Outcome {
        switch kind {
        case .w9: TaxIDValidation.w9(taxID, preferEIN: classification.map { $0 != .individual } ?? false)
        case .w8ben, .w8bene: TaxIDValidation.foreignTIN(taxID)
        case .euVAT: TaxIDValidation.euVAT(taxID, country: country)
        }
    }

    /// The optional US TIN of a W-8 form, checked; nil when empty or not a W-8 form.
    public func validatedUSTIN() -> TaxIDValidation.Outcome? {
        guard kind == .w8ben || kind == .w8bene, !usTIN.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return TaxIDValidation.usTIN(usTIN)
    }

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Field name → messages (the form's own field names); empty when the form may be stored.
    public func problems() -> [String: [String]] {
        var errors: [String: [String]] = [:]
        func add(_ field: String, _ message: String) { errors[field, default: []].append(message) }
        let legal = Self.trimmed(legalName)
        if legal.isEmpty { add("legal_name", "Enter the legal name as shown on your tax return.") }
        if legal.count > 200 { add("legal_name", "Must be at most 200 characters.") }
        let business = Self.trimmed(businessName)
        if kind == .w8bene && business.isEmpty { add("business_name", "Enter the name of the entity.") }
        if kind == .euVAT && business.isEmpty { add("business_name", "Enter the name of the business registered for VAT.") }
        if business.count > 200 { add("business_name", "Must be at most 200 characters.") }
        let code = Self.trimmed(country).uppercased()
        if code.count != 2 || !Countries.isKnown(code) {
            add("country", "Choose a country (two-letter code such as US, DE or FR).")
        } else if !kind.fits(country: code) {
            switch kind {
            case .w9: add("country", "A W-9 is for US persons: choose a W-8 form for another country.")
            case .w8ben, .w8bene: add("country", "US persons give a W-9 instead.")
            case .euVAT: add("country", "A VAT id here must be from an EU member state.")
            }
        }
        if Self.trimmed(addressLine1).isEmpty { add("address_line1", "Enter the street address.") }
        if Self.trimmed(city).isEmpty { add("city", "Enter the city.") }
        for (field, value) in [("address_line1", addressLine1), ("address_line2", addressLine2), ("city", city), ("region", region),
                               ("postal_code", postalCode)] where value.count > 200 {
            add(field, "Must be at most 200 characters.")
        }
        if kind == .w9 && classification == nil { add("classification", "Choose the federal tax classification.") }
        if Self.trimmed(taxID).isEmpty {
            add("tax_id", "Enter your \(kind.taxIDLabel).")
        } else if case .invalid(let message) = validatedTaxID() {
            add("tax_id", message)
        }
        if case .invalid(let message)? = validatedUSTIN() { add("us_tin", message) }
        let signature = Self.trimmed(signatureName)
        if signature.isEmpty {
            add("signature_name", "Type your full name to sign.")
        } else if !legal.isEmpty, signature.lowercased() != legal.lowercased() {
            add("signature_name", "Type the legal name exactly as entered above to sign.")
        }
        if !certified { add("certified", "Tick the box to certify the statement above.") }
        return errors
    }
}
