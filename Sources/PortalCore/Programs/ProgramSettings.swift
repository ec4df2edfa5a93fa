import Store

/// The settings of a program the engine decides with, read once per operation.
public struct ProgramSettings: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let currency: String
    public let holdDays: Int64
    public let cookieDays: Int64
    public let minPayout: Int64
    public let attributionModel: AttributionModel
    public let overrideBasisPoints: Int64
    public let overrideDepth: Int

    public var cookieWindow: Int64 { cookieDays * 86_400 }

    public static func load(in db: Database, programID: Int64) throws -> ProgramSettings? {
        try db.queryOne("""
            SELECT id, name, currency, hold_days, cookie_days, min_payout, attribution_model, override_bps, override_depth
            FROM programs WHERE id = ?
            """, [programID]).map { row in
            ProgramSettings(id: try row["id"], name: try row["name"], currency: try row["currency"], holdDays: try row["hold_days"],
                            cookieDays: try row["cookie_days"], minPayout: try row["min_payout"],
                            attributionModel: AttributionModel(rawValue: try row["attribution_model"]) ?? .lastClick,
                            overrideBasisPoints: try row["override_bps"], overrideDepth: Int(try row["override_depth"] as Int64))
        }
    }
}
