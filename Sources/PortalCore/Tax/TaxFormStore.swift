import Foundation
import PortalSecurity
import Store

/// Partners' tax forms: a submission supersedes the current form and keeps it as history. The tax id (and a W-8
/// form's US TIN) is sealed with its own derived key and bound to the row and partner, so a sealed value copied
/// to another row does not open; pages only ever see the masked id built from `tax_id_last4`.
public struct TaxFormStore: Sendable {
    let box: SecretBox

    public init(key: SecretKey) throws {
        box = SecretBox(key: try SecretKey(bytes: key.derive("tax-id")))
    }

    public enum Status: String, Sendable, Equatable {
        case submitted, accepted, rejected

        public var label: String {
            switch self {
            case .submitted: "Submitted, waiting for review"
            case .accepted: "Accepted"
            case .rejected: "Rejected"
            }
        }
    }

    /// A stored form without its tax id in plain text.
    public struct Stored: Sendable, Equatable {
        public let id: Int64
        public let partnerID: Int64
        public let kind: TaxFormKind
        public let legalName: String
        public let businessName: String
        public let country: String
        public let classification: FederalTaxClassification?
        public let taxIDType: TaxID.Kind
        public let taxIDLast4: String
        public let signatureName: String
        public let signedAt: Int64
        public let signerUserID: Int64?
        public let status: Status
        public let statusReason: String
        public let supersededAt: Int64?

        /// The id as pages show it: `•••-••-6789`, `DE•••••6789`.
        public var maskedTaxID: String {
            TaxID.masked(kind: taxIDType, last4: taxIDLast4, prefix: taxIDType == .vat ? (country == "GR" ? "EL" : country) : "")
        }
    }

    public enum Failure: Error, Equatable {
        case invalid([String: [String]])
    }

    /// Validates and stores `form` as the partner's current form, superseding the previous one, in the caller's
    /// transaction (`DatabasePool.write`). Throws `Failure.invalid` with the form's problems.
    @discardableResult
    public func submit(in db: Database, programID: Int64, partnerID: Int64, _ form: TaxForm, signerUserID: Int64?,
                       signerAddressHash: [UInt8]?, now: Int64) throws -> Stored {
        let problems = form.problems()
        guard problems.isEmpty, let taxID = form.validatedTaxID().taxID else { throw Failure.invalid(problems) }
        let usTIN = form.validatedUSTIN()?.taxID
        try db.execute("UPDATE tax_forms SET superseded_at = ? WHERE partner_id = ? AND superseded_at IS NULL", [now, partnerID])
        // The row's id is chosen here (the write transaction is the only writer) so the sealed id can name it.
        let id = (try db.queryValue("SELECT coalesce(max(id), 0) + 1 FROM tax_forms", as: Int64.self)) ?? 1
        let sealed = try box.encrypt(taxID.value, associatedData: Self.associatedData(id: id, partnerID: partnerID, field: "tax_id"))
        let sealedUS = try usTIN.map { try box.encrypt($0.value, associatedData: Self.associatedData(id: id, partnerID: partnerID, field: "us_tin")) }
        let trim = TaxForm.trimmed
        try db.execute("""
            INSERT INTO tax_forms (id, partner_id, program_id, kind, legal_name, business_name, country, address_line1, address_line2,
                city, region, postal_code, federal_tax_classification, tax_id_sealed, us_tin_sealed, tax_id_last4, tax_id_type,
                signature_name, signed_at, signer_user_id, signer_address_hash, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted')
            """, [id, partnerID, programID, form.kind.rawValue, trim(form.legalName), trim(form.businessName), trim(form.country).uppercased(),
                  trim(form.addressLine1), trim(form.addressLine2), trim(form.city), trim(form.region), trim(form.postalCode),
                  form.kind == .w9 ? (form.classification?.rawValue ?? "") : "", sealed, sealedUS, taxID.last4, taxID.kind.rawValue,
                  trim(form.signatureName), now, signerUserID, signerAddressHash])
        guard let stored = try self.form(in: db, partnerID: partnerID, id: id) else { throw Failure.invalid([:]) }
        return stored
    }

    /// The partner's current form, or nil when none was submitted.
    public func current(in db: Database, partnerID: Int64) throws -> Stored? {
        try db.queryOne("SELECT \(Self.columns) FROM tax_forms WHERE partner_id = ? AND superseded_at IS NULL", [partnerID]).map(Self.stored)
    }

    /// Every form the partner submitted, newest first.
    public func history(in db: Database, partnerID: Int64) throws -> [Stored] {
        try db.query("SELECT \(Self.columns) FROM tax_forms WHERE partner_id = ? ORDER BY id DESC", [partnerID]).map(Self.stored)
    }

    public func form(in db: Database, partnerID: Int64, id: Int64) throws -> Stored? {
        try db.queryOne("SELECT \(Self.columns) FROM tax_forms WHERE partner_id = ? AND id = ?", [partnerID, id]).map(Self.stored)
    }

    /// The tax id in plain text, for the program's own tax filing (admin review); never for pages or logs.
    public func openTaxID(in db: Database, partnerID: Int64, id: Int64) throws -> String? {
        guard let sealed = try db.queryValue("SELECT tax_id_sealed FROM tax_forms WHERE partner_id = ? AND id = ?", [partnerID, id], as: String.self)
        else { return nil }
        return try box.decryptString(sealed, associatedData: Self.associatedData(id: id, partnerID: partnerID, field: "tax_id"))
    }

    static func associatedData(id: Int64, partnerID: Int64, field: String) -> String { "tax_forms.\(field):\(id):\(partnerID)" }

    static let columns = """
        id, partner_id, kind, legal_name, business_name, country, federal_tax_classification, tax_id_type, tax_id_last4, signature_name,
        signed_at, signer_user_id, status, status_reason, superseded_at
        """

    static func stored(_ row: Row) throws -> Stored {
        let classification: String = try row["federal_tax_classification"]
        return Stored(id: try row["id"], partnerID: try row["partner_id"], kind: TaxFormKind(rawValue: try row["kind"]) ?? .w9,
                      legalName: try row["legal_name"], businessName: try row["business_name"], country: try row["country"],
                      classification: FederalTaxClassification(rawValue: classification), taxIDType: TaxID.Kind(rawValue: try row["tax_id_type"]) ?? .tin,
                      taxIDLast4: try row["tax_id_last4"], signatureName: try row["signature_name"], signedAt: try row["signed_at"],
                      signerUserID: try row["signer_user_id"], status: Status(rawValue: try row["status"]) ?? .submitted,
                      statusReason: try row["status_reason"], supersededAt: try row["superseded_at"])
    }
}
