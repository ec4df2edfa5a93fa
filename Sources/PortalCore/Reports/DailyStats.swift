import Store

/// Daily totals per partner, link, campaign and sub id (`daily_stats`), added to in the transaction that
/// records each event, so reports read a few rows per day instead of scanning clicks and conversions.
public enum DailyStats {
    /// Adds to one row (created at zero when missing). Negative values take back (refunds).
    public static func add(in db: Database, programID: Int64, partnerID: Int64, at: Int64, linkID: Int64, campaign: String, subID: String,
                           clicks: Int64 = 0, uniqueClicks: Int64 = 0, leads: Int64 = 0, sales: Int64 = 0, revenue: Int64 = 0,
                           commission: Int64 = 0) throws {
        try db.execute("""
            INSERT INTO daily_stats (program_id, partner_id, day, link_id, campaign, sub_id, clicks, unique_clicks, leads, sales, revenue, commission)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (partner_id, day, link_id, campaign, sub_id) DO UPDATE SET
                clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks,
                leads = leads + excluded.leads, sales = sales + excluded.sales,
                revenue = revenue + excluded.revenue, commission = commission + excluded.commission
            """, [programID, partnerID, day(of: at), linkID, campaign, subID, clicks, uniqueClicks, leads, sales, revenue, commission])
    }

    /// Days since 1970-01-01 (UTC) of a unix time, rounding down for times before 1970 too.
    public static func day(of seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    }
}
