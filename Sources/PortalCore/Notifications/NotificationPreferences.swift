import Store

/// Each team member's e-mail choices per partner team (a user in two teams chooses for each), and the one
/// question every sender asks: who in this team wants to hear about this event?
public struct NotificationPreferences: Sendable {
    public init() {}

    /// The member's choice for every event, defaults filled in.
    public func choices(in db: Database, userID: Int64, partnerID: Int64) throws -> [NotificationEvent: Bool] {
        var choices = Dictionary(uniqueKeysWithValues: NotificationEvent.allCases.map { ($0, $0.isOnByDefault) })
        for row in try db.query("SELECT event, email FROM notification_preferences WHERE user_id = ? AND partner_id = ?",
                                [userID, partnerID]) {
            if let event = NotificationEvent(rawValue: try row["event"]) { choices[event] = (try row["email"] as Int64) == 1 }
        }
        return choices
    }

    /// Stores every event's choice (events not named are set off: a form's unticked box sends nothing).
    public func save(in db: Database, userID: Int64, partnerID: Int64, enabled: Set<NotificationEvent>, now: Int64) throws {
        for event in NotificationEvent.allCases {
            try db.execute("""
                INSERT INTO notification_preferences (user_id, partner_id, event, email, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id, partner_id, event) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at
                """, [userID, partnerID, event.rawValue, enabled.contains(event) ? 1 : 0, now])
        }
    }

    /// The e-mail addresses of the team's active members in `roles` who want `event`, sorted.
    public func recipients(in db: Database, partnerID: Int64, event: NotificationEvent, roles: [Role]) throws -> [String] {
        guard !roles.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: roles.count).joined(separator: ", ")
        var values: [(any DatabaseValueConvertible)?] = [event.rawValue, partnerID]
        values += roles.map { $0.rawValue }
        values.append(event.isOnByDefault ? 1 : 0)
        return try db.query("""
            SELECT DISTINCT u.email FROM memberships m JOIN users u ON u.id = m.user_id
            LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.partner_id = m.partner_id AND p.event = ?
            WHERE m.partner_id = ? AND m.role IN (\(placeholders)) AND u.disabled_at IS NULL AND coalesce(p.email, ?) = 1
            ORDER BY u.email
            """, StatementArguments(values)).map { try $0["email"] }
    }
}
