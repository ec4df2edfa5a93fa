import Store

/// Who hears of a change to a partner's money or tax settings: every active owner and admin of the team, whatever
/// their notification preferences, because a hijacked session changing where money goes must not go unnoticed.
public enum SecurityNotices {
    public static func recipients(in db: Database, partnerID: Int64) throws -> [String] {
        try db.query("""
            SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.partner_id = ? AND m.role IN ('partner_owner', 'partner_admin') AND u.disabled_at IS NULL ORDER BY u.email
            """, [partnerID]).map { try $0["email"] }
    }
}
