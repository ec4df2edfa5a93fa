import Store

/// Clicks per partner, day and dimension value (`daily_click_dimensions`): the country and the device of the
/// clicks, added to in the transaction that records them (the click writer's group commit), for the portal's
/// country and device breakdowns.
public enum ClickDimensions {
    public enum Dimension: String, Sendable, CaseIterable {
        case country, device
    }

    static let upsertSQL = """
        INSERT INTO daily_click_dimensions (partner_id, day, dimension, value, clicks, unique_clicks)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (partner_id, day, dimension, value)
        DO UPDATE SET clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks
        """

    /// Adds to one row (created at zero when missing); `day` is days since 1970-01-01.
    public static func add(in db: Database, partnerID: Int64, day: Int64, _ dimension: Dimension, value: String,
                           clicks: Int64, uniqueClicks: Int64) throws {
        let statement = try db.cachedStatement(upsertSQL)
        try statement.bind(partnerID, at: 1)
        try statement.bind(day, at: 2)
        try statement.bind(dimension.rawValue, at: 3)
        try statement.bind(value, at: 4)
        try statement.bind(clicks, at: 5)
        try statement.bind(uniqueClicks, at: 6)
        try statement.run()
    }
}
