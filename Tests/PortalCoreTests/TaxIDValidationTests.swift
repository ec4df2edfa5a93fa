import Testing
@testable import PortalCore

/// Tax ids by form: SSN and EIN rules for the W-9, free-form foreign TINs for W-8 forms, and each EU state's VAT
/// format, after normalising spaces, dots and dashes.
@Suite struct TaxIDValidationTests {
    @Test(arguments: ["123-45-6789", "001-01-0001", "899-99-9999"])
    func validSSNs(_ text: String) {
        #expect(TaxIDValidation.w9(text).taxID?.kind == .ssn)
    }

    @Test(arguments: ["000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000", "123-45-678", "12-345-6789",
                      "abc-de-fghi", "", "123 45 67890"])
    func invalidSSNsAndShapes(_ text: String) {
        #expect(TaxIDValidation.w9(text).taxID == nil)
    }

    @Test func einsNeedAnIRSPrefix() {
        #expect(TaxIDValidation.w9("12-3456789") == .valid(TaxID(kind: .ein, value: "123456789")))
        #expect(TaxIDValidation.w9("01-2345678").taxID?.kind == .ein)
        #expect(TaxIDValidation.w9("98-7654321").taxID?.kind == .ein)
        for prefix in ["00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"] {
            #expect(TaxIDValidation.w9("\(prefix)-1234567").taxID == nil, "\(prefix)")
        }
    }

    @Test func nineBareDigitsAreAnSSNOrAnEIN() {
        #expect(TaxIDValidation.w9("123456789").taxID?.kind == .ssn)
        #expect(TaxIDValidation.w9("123456789", preferEIN: true).taxID?.kind == .ein)
        // 000 is no SSN area but 00 is no EIN prefix either; 900… is no SSN but 90 is an EIN prefix.
        #expect(TaxIDValidation.w9("000123456").taxID == nil)
        #expect(TaxIDValidation.w9("901234567").taxID?.kind == .ein)
    }

    @Test func foreignAndUSTINsOnW8Forms() {
        #expect(TaxIDValidation.foreignTIN("  ab 12-34   cd ") == .valid(TaxID(kind: .tin, value: "AB 12-34 CD")))
        #expect(TaxIDValidation.foreignTIN("123").taxID == nil)
        #expect(TaxIDValidation.foreignTIN(String(repeating: "1", count: 31)).taxID == nil)
        #expect(TaxIDValidation.foreignTIN("12/34/56").taxID == nil)
        #expect(TaxIDValidation.foreignTIN("----").taxID == nil)
        #expect(TaxIDValidation.usTIN("912-70-1234").taxID?.kind == .itin)
        #expect(TaxIDValidation.usTIN("123-45-6789").taxID?.kind == .ssn)
        #expect(TaxIDValidation.usTIN("912-40-1234").taxID?.kind == .ein)  // not an ITIN group, but 91 is an EIN prefix
        #expect(TaxIDValidation.usTIN("000-00-0000").taxID == nil)
    }

    static let validVAT: [String: String] = [
        "AT": "ATU12345678", "BE": "BE0123456789", "BG": "BG123456789", "CY": "CY12345678L", "CZ": "CZ12345678", "DE": "DE123456789",
        "DK": "DK12345678", "EE": "EE123456789", "GR": "EL123456789", "ES": "ESA1234567B", "FI": "FI12345678", "FR": "FRAB123456789",
        "HR": "HR12345678901", "HU": "HU12345678", "IE": "IE1234567WA", "IT": "IT12345678901", "LT": "LT123456789012", "LU": "LU12345678",
        "LV": "LV12345678901", "MT": "MT12345678", "NL": "NL123456789B01", "PL": "PL1234567890", "PT": "PT123456789", "RO": "RO1234567890",
        "SE": "SE123456789001", "SI": "SI12345678", "SK": "SK1234567890",
    ]

    static let invalidVAT: [String: String] = [
        "AT": "AT12345678", "BE": "BE2123456789", "BG": "BG12345678", "CY": "CY123456789", "CZ": "CZ1234567", "DE": "DE12345678",
        "DK": "DK123456789", "EE": "EE12345678", "GR": "EL12345678", "ES": "ES12345678", "FI": "FI1234567", "FR": "FRIO123456789",
        "HR": "HR1234567890", "HU": "HU1234567", "IE": "IE12345678", "IT": "IT1234567890", "LT": "LT1234567890", "LU": "LU1234567",
        "LV": "LV1234567890", "MT": "MT1234567", "NL": "NL123456789A01", "PL": "PL123456789", "PT": "PT12345678", "RO": "RO1",
        "SE": "SE123456789012", "SI": "SI1234567", "SK": "SK123456789",
    ]

    @Test func everyMemberStateHasAFormatAndExamples() {
        #expect(EUVAT.memberStates.count == 27)
        #expect(Set(Self.validVAT.keys) == EUVAT.memberStates)
        #expect(Set(Self.invalidVAT.keys) == EUVAT.memberStates)
        #expect(EUVAT.formats.count == 27)
    }

    @Test(arguments: validVAT.sorted { $0.key < $1.key })
    func validVATIds(_ example: (key: String, value: String)) {
        #expect(TaxIDValidation.euVAT(example.value, country: example.key) == .valid(TaxID(kind: .vat, value: example.value)))
    }

    @Test(arguments: invalidVAT.sorted { $0.key < $1.key })
    func invalidVATIds(_ example: (key: String, value: String)) {
        #expect(TaxIDValidation.euVAT(example.value, country: example.key).taxID == nil)
    }

    @Test func vatIdsAreNormalisedAndMustBeFromTheChosenMemberState() {
        #expect(TaxIDValidation.euVAT(" de 123.456-789 ") == .valid(TaxID(kind: .vat, value: "DE123456789")))
        #expect(TaxIDValidation.euVAT("nl 1234.56789.b01", country: "nl").taxID?.value == "NL123456789B01")
        #expect(TaxIDValidation.euVAT("DE123456789", country: "FR") == .invalid("The VAT id is from DE, but the country chosen is FR."))
        for outside in ["GB123456789", "XI123456789", "CH123456789", "GR123456789", "US123456789", "123456789"] {
            #expect(TaxIDValidation.euVAT(outside).taxID == nil, "\(outside)")
        }
        #expect(EUVAT.country(forPrefix: "EL") == "GR")
    }

    @Test func masksShowOnlyTheLastFour() {
        #expect(TaxIDValidation.w9("123-45-6789").taxID?.masked == "•••-••-6789")
        #expect(TaxIDValidation.w9("12-3456789").taxID?.masked == "••-•••6789")
        #expect(TaxIDValidation.euVAT("DE 123 456 789").taxID?.masked == "DE•••••6789")
        #expect(TaxIDValidation.foreignTIN("AB-12 34").taxID?.masked == "••••1234")
    }

    @Test func formProblemsAreKeyedByField() {
        var form = TaxForm(kind: .w9, legalName: "Ada Lovelace", country: "US", addressLine1: "1 Main St", city: "Springfield",
                           classification: .individual, taxID: "123-45-6789", signatureName: "  ada LOVELACE ", certified: true)
        #expect(form.problems().isEmpty)
        form.signatureName = "Ada L."
        form.certified = false
        form.country = "DE"
        form.taxID = "666-12-3456"
        let problems = form.problems()
        #expect(Set(problems.keys) == ["signature_name", "certified", "country", "tax_id"])
        var entity = TaxForm(kind: .w8bene, legalName: "Jean Dupont", country: "FR", addressLine1: "1 rue", city: "Paris", taxID: "12 345 678",
                             signatureName: "Jean Dupont", certified: true)
        #expect(entity.problems()["business_name"] != nil)
        entity.businessName = "Dupont SARL"
        entity.usTIN = "12"
        #expect(Set(entity.problems().keys) == ["us_tin"])
        let vat = TaxForm(kind: .euVAT, legalName: "Jan Jansen", businessName: "Jansen BV", country: "NL", addressLine1: "Dam 1", city: "Amsterdam",
                          taxID: "DE123456789", signatureName: "Jan Jansen", certified: true)
        #expect(Set(vat.problems().keys) == ["tax_id"])
    }
}
