import Store

/// Everything attribution may ask about one conversion, read from the database up front so that
/// `Attribution.decide` stays a pure function over plain values (its lookups are `@Sendable` closures, which
/// cannot hold a database connection).
struct AttributionFacts: Sendable {
    struct ClickRow: Sendable {
        let click: TrackedClick
        let linkID: Int64
        let sub1: String
        let visitor: [UInt8]
    }

    var clickRows: [String: ClickRow] = [:]
    var customerClicks: [TrackedClick] = []
    var couponPartner: Int64?
    var customerPartner: Int64?
    var linkPartner: Int64?
    var linkID: Int64?
    var statuses: [Int64: PartnerStatus] = [:]

    static func prefetch(in db: Database, programID: Int64, _ references: ConversionReferences) throws -> AttributionFacts {
        var facts = AttributionFacts()
        let clickColumns = "id, partner_id, at, customer_id, link_id, sub1, visitor"
        var clickCustomer: String?
        if let text = Attribution.present(references.clickID), let id = Int64(text),
           let row = try db.queryOne("SELECT \(clickColumns) FROM clicks WHERE id = ? AND program_id = ?", [id, programID]) {
            let click = try clickRow(row)
            facts.clickRows[click.click.id] = click
            clickCustomer = click.click.customerID
        }
        if let customer = Attribution.present(references.customerID) ?? Attribution.present(clickCustomer) {
            // A customer's clicks are few (they are tied one per conversion); the cap bounds a pathological id.
            for row in try db.query("SELECT \(clickColumns) FROM clicks WHERE program_id = ? AND customer_id = ? ORDER BY id DESC LIMIT 1000",
                                    [programID, customer]) {
                let click = try clickRow(row)
                facts.clickRows[click.click.id] = click
                facts.customerClicks.append(click.click)
            }
        }
        if let coupon = Attribution.present(references.coupon) {
            facts.couponPartner = try db.queryValue("SELECT partner_id FROM coupons WHERE program_id = ? AND code = ? AND archived_at IS NULL",
                                                    [programID, coupon], as: Int64?.self) ?? nil
        }
        if let customer = Attribution.present(references.customerID) {
            facts.customerPartner = try db.queryValue("SELECT partner_id FROM customers WHERE program_id = ? AND customer_id = ?",
                                                      [programID, customer], as: Int64?.self) ?? nil
        }
        if let code = Attribution.present(references.linkCode),
           let row = try db.queryOne("SELECT id, partner_id FROM links WHERE program_id = ? AND code = ?", [programID, code]) {
            facts.linkPartner = try row["partner_id"]
            facts.linkID = try row["id"]
        }
        var partners = Set(facts.clickRows.values.map(\.click.partnerID))
        for id in [facts.couponPartner, facts.customerPartner, facts.linkPartner, references.partnerID].compactMap({ $0 }) { partners.insert(id) }
        for id in partners {
            if let status = try db.queryValue("SELECT status FROM partners WHERE id = ? AND program_id = ?", [id, programID], as: String.self) {
                facts.statuses[id] = PartnerStatus(rawValue: status)
            }
        }
        return facts
    }

    private static func clickRow(_ row: Row) throws -> ClickRow {
        let id: Int64 = try row["id"]
        return ClickRow(click: TrackedClick(id: String(id), partnerID: try row["partner_id"], time: try row["at"], customerID: try row["customer_id"]),
                        linkID: try row["link_id"], sub1: try row["sub1"], visitor: try row["visitor"])
    }

    func lookups(program: ProgramSettings) -> AttributionLookups {
        let facts = self
        return AttributionLookups(
            cookieWindow: program.cookieWindow, model: program.attributionModel,
            click: { facts.clickRows[$0]?.click },
            customerClicks: { _ in facts.customerClicks },
            couponPartner: { _ in facts.couponPartner },
            customerPartner: { _ in facts.customerPartner },
            linkPartner: { _ in facts.linkPartner },
            partnerStatus: { facts.statuses[$0] })
    }
}
