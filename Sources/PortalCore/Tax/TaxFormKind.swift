/// Which tax form a partner gives the program: US persons a W-9, foreign individuals a W-8BEN, foreign entities a
/// W-8BEN-E, businesses in the EU their VAT id (for reverse-charge invoicing).
public enum TaxFormKind: String, Sendable, Equatable, CaseIterable {
    case w9, w8ben, w8bene, euVAT = "eu_vat"

    public var label: String {
        switch self {
        case .w9: "Form W-9"
        case .w8ben: "Form W-8BEN"
        case .w8bene: "Form W-8BEN-E"
        case .euVAT: "EU VAT id"
        }
    }

    /// Who the form is for, in one sentence.
    public var explanation: String {
        switch self {
        case .w9: "For US persons: US citizens and residents, and US companies."
        case .w8ben: "For individuals who are not US persons."
        case .w8bene: "For companies and other entities that are not US persons."
        case .euVAT: "For businesses registered for VAT in an EU member state."
        }
    }

    /// What the tax id is called on this form.
    public var taxIDLabel: String {
        switch self {
        case .w9: "SSN or EIN"
        case .w8ben, .w8bene: "Foreign tax identifying number"
        case .euVAT: "VAT id (with country prefix)"
        }
    }

    /// Whether the form is signed by or for an entity (business name required) rather than an individual.
    public var isForEntities: Bool { self == .w8bene || self == .euVAT }

    /// Whether a partner in `country` (ISO 3166 alpha-2) may use this form: W-9 only for the US (and US
    /// territories), W-8 forms only outside them, the VAT id only in an EU member state.
    public func fits(country: String) -> Bool {
        let code = country.uppercased()
        switch self {
        case .w9: return Self.usJurisdictions.contains(code)
        case .w8ben, .w8bene: return !Self.usJurisdictions.contains(code)
        case .euVAT: return EUVAT.memberStates.contains(code)
        }
    }

    /// The perjury statement the signer certifies, shortened from the form's own certification.
    public var certification: String {
        switch self {
        case .w9:
            "Under penalties of perjury, I certify that the number shown is my correct taxpayer identification number, that I am not subject to backup withholding, and that I am a U.S. citizen or other U.S. person."
        case .w8ben:
            "Under penalties of perjury, I declare that I have examined the information on this form and to the best of my knowledge and belief it is true, correct, and complete, and that I am the individual that is the beneficial owner of the income and not a U.S. person."
        case .w8bene:
            "Under penalties of perjury, I declare that I have examined the information on this form and to the best of my knowledge and belief it is true, correct, and complete, that the entity identified is the beneficial owner of the income and not a U.S. person, and that I have the capacity to sign for it."
        case .euVAT:
            "I certify that the business named above is registered for VAT under the id given, that the information is true, correct and complete, and that I have the capacity to sign for it."
        }
    }

    /// US states' country code and the territories with their own ISO code, where a W-9 applies.
    public static let usJurisdictions: Set<String> = ["US", "PR", "GU", "VI", "AS", "MP", "UM"]
}

/// W-9 line 3: the federal tax classification.
public enum FederalTaxClassification: String, Sendable, Equatable, CaseIterable {
    case individual, cCorporation = "c_corporation", sCorporation = "s_corporation", partnership, trustEstate = "trust_estate", llc, other

    public var label: String {
        switch self {
        case .individual: "Individual / sole proprietor"
        case .cCorporation: "C corporation"
        case .sCorporation: "S corporation"
        case .partnership: "Partnership"
        case .trustEstate: "Trust / estate"
        case .llc: "Limited liability company"
        case .other: "Other"
        }
    }
}
