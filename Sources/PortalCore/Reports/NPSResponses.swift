import Store

/// The NPS question's answers and dismissals, per partner user and program.
public enum NPSResponses {
    /// The user's latest answer or dismissal in the program (unix seconds), nil for none.
    public static func lastAnswerOrDismissal(in db: Database, programID: Int64, userID: Int64) throws -> Int64? {
        let answered = try db.queryValue("SELECT created_at FROM nps_responses WHERE user_id = ? AND program_id = ? ORDER BY created_at DESC LIMIT 1",
                                         [userID, programID], as: Int64.self)
        let dismissed = try db.queryValue("SELECT created_at FROM nps_dismissals WHERE user_id = ? AND program_id = ? ORDER BY created_at DESC LIMIT 1",
                                          [userID, programID], as: Int64.self)
        switch (answered, dismissed) {
        case let (a?, d?): return max(a, d)
        case let (a?, nil): return a
        case let (nil, d?): return d
        default: return nil
        }
    }

    public static func isDue(in db: Database, programID: Int64, userID: Int64, now: Int64) throws -> Bool {
        NPSSchedule.isDue(lastAnswerOrDismissal: try lastAnswerOrDismissal(in: db, programID: programID, userID: userID), now: now)
    }

    public static func answer(in db: Database, programID: Int64, partnerID: Int64, userID: Int64, score: Int, comment: String, now: Int64) throws {
        try db.execute("""
            INSERT INTO nps_responses (program_id, partner_id, user_id, score, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [programID, partnerID, userID, Int64(score), comment, now])
    }

    public static func dismiss(in db: Database, programID: Int64, partnerID: Int64, userID: Int64, now: Int64) throws {
        try db.execute("INSERT INTO nps_dismissals (program_id, partner_id, user_id, created_at) VALUES (?, ?, ?, ?)",
                       [programID, partnerID, userID, now])
    }
}
