import Store

/// The business details a partner team keeps about itself on the profile page. Name, contact e-mail, company and
/// website are the partner's own columns (also changed through the API); country, phone and "about" exist only here.
public struct PartnerProfile: Sendable, Equatable {
    public var name: String
    public var email: String
    public var company: String
    public var website: String
    /// ISO 3166-1 alpha-2, or empty.
    public var country: String
    public var phone: String
    /// How the partner promotes the program: audience, channels. Read by the program's managers.
    public var about: String

    public static let aboutLimit = 2000

    public init(name: String, email: String, company: String = "", website: String = "", country: String = "", phone: String = "",
                about: String = "") {
        self.name = name
        self.email = email
        self.company = company
        self.website = website
        self.country = country
        self.phone = phone
        self.about = about
    }

    /// The values as a person typed them, tidied: surrounding spaces gone, country upper-cased.
    public var normalized: PartnerProfile {
        func trim(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
        return PartnerProfile(name: trim(name), email: trim(email), company: trim(company), website: trim(website),
                              country: trim(country).uppercased(), phone: trim(phone), about: trim(about))
    }

    /// Problems by form field, in words for the page (the API's shorter wording is `PartnerChanges.problems`).
    public func problems() -> [String: [String]] {
        var errors: [String: [String]] = [:]
        if name.isEmpty || name.count > 120 { errors["name", default: []].append("Enter your partner name (up to 120 characters).") }
        if AccountStore.normalizedEmail(email) == nil { errors["email", default: []].append("Enter an e-mail address such as you@example.com.") }
        if company.count > 120 { errors["company", default: []].append("Use at most 120 characters.") }
        if !website.isEmpty, NewLink.destinationProblem(website, allowedDomains: []) != nil {
            errors["website", default: []].append("Enter a web address starting with https:// or http://.")
        }
        if !country.isEmpty, !Countries.isKnown(country) { errors["country", default: []].append("Choose a country from the list.") }
        if phone.count > 40 || phone.contains(where: { !($0.isNumber || " +-().".contains($0)) }) {
            errors["phone", default: []].append("Use digits, spaces and + - ( ) only, up to 40 characters.")
        }
        if about.count > Self.aboutLimit { errors["about", default: []].append("Use at most \(Self.aboutLimit) characters.") }
        return errors
    }
}

/// Reads and writes a partner's profile, scoped by program.
public struct PartnerProfileStore: Sendable {
    public enum Failure: Error, Equatable {
        case notFound
        case invalid([String: [String]])
    }

    public init() {}

    public func profile(in db: Database, programID: Int64, partnerID: Int64) throws -> PartnerProfile? {
        try db.queryOne("""
            SELECT name, email, company, website, country, phone, about FROM partners WHERE id = ? AND program_id = ?
            """, [partnerID, programID]).map { row in
            PartnerProfile(name: try row["name"], email: try row["email"], company: try row["company"], website: try row["website"],
                           country: try row["country"], phone: try row["phone"], about: try row["about"])
        }
    }

    /// Saves a whole profile after checking it (and that no other partner of the program has the e-mail);
    /// nothing is written when anything is wrong.
    public func save(in db: Database, programID: Int64, partnerID: Int64, _ profile: PartnerProfile) throws {
        let profile = profile.normalized
        var errors = profile.problems()
        guard try db.queryOne("SELECT 1 FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID]) != nil else {
            throw Failure.notFound
        }
        let email = AccountStore.normalizedEmail(profile.email)
        if let email, try db.queryOne("SELECT 1 FROM partners WHERE program_id = ? AND email = ? AND id <> ?", [programID, email, partnerID]) != nil {
            errors["email", default: []].append("Another partner of this program uses this e-mail address.")
        }
        guard errors.isEmpty, let email else { throw Failure.invalid(errors) }
        try db.execute("""
            UPDATE partners SET name = ?, email = ?, company = ?, website = ?, country = ?, phone = ?, about = ?
            WHERE id = ? AND program_id = ?
            """, [profile.name, email, profile.company, profile.website, profile.country, profile.phone, profile.about, partnerID, programID])
    }
}
