import Foundation
import HTTPServer
import PortalCore
import Store
@testable import PortalWeb

/// Partner teams for page tests: a program with partners, users in roles, and signed-in sessions made directly
/// through the session store (no password hashing, so page tests stay fast).
struct PortalTeam {
    let portal: RunningPortal
    let programID: Int64
    let secretKey: String

    init(portal: RunningPortal, holdDays: Int = 0, minPayout: Int64 = 1000) throws {
        self.portal = portal
        var program = NewProgram(name: "Acme", slug: "acme\(Int.random(in: 1000...9999))", currency: "USD")
        program.holdDays = holdDays
        program.minPayout = minPayout
        let created = try portal.database.write { db in try ProgramStore().create(in: db, program, now: 0) }
        programID = created.id
        secretKey = created.secretKey
    }

    /// An approved partner with a user in `role`; returns the partner id and the user id.
    func partner(_ name: String, role: Role = .partnerOwner) throws -> (partnerID: Int64, userID: Int64) {
        try portal.database.write { db in
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, ?, ?, 'approved', 0)",
                           [programID, name, "\(name.lowercased())@example.com"])
            let partnerID = db.lastInsertRowID
            let user = try AccountStore(database: portal.database).createUser(in: db, email: "\(name.lowercased())-user@example.com", name: name,
                                                                             passwordHash: nil, now: 0)
            try AccountStore(database: portal.database).addMembership(in: db, userID: user.id,
                                                                      Membership(role: role, programID: programID, partnerID: partnerID), now: 0)
            return (partnerID, user.id)
        }
    }

    /// Another user in an existing partner team.
    func member(of partnerID: Int64, name: String, role: Role) throws -> Int64 {
        try portal.database.write { db in
            let user = try AccountStore(database: portal.database).createUser(in: db, email: "\(name.lowercased())-user@example.com", name: name,
                                                                             passwordHash: nil, now: 0)
            try AccountStore(database: portal.database).addMembership(in: db, userID: user.id,
                                                                      Membership(role: role, programID: programID, partnerID: partnerID), now: 0)
            return user.id
        }
    }

    /// A program staff user (manager or viewer) of `programID` (this team's program by default); returns the user id.
    func staff(_ name: String, role: Role = .programManager, programID: Int64? = nil) throws -> Int64 {
        try portal.database.write { db in
            let user = try AccountStore(database: portal.database).createUser(in: db, email: "\(name.lowercased())-staff@example.com", name: name,
                                                                             passwordHash: nil, now: 0)
            try AccountStore(database: portal.database).addMembership(in: db, userID: user.id,
                                                                      Membership(role: role, programID: programID ?? self.programID), now: 0)
            return user.id
        }
    }

    /// A signed-in browser session: the cookie header value and the CSRF token of its forms.
    func session(_ userID: Int64) throws -> (cookie: String, csrf: String) {
        let (token, session) = try SessionStore(database: portal.database).start(userID: userID, address: "127.0.0.1", userAgent: "test",
                                                                                 now: Int64(Date().timeIntervalSince1970))
        return ("pp_session=\(token)", session.csrfToken)
    }

    func get(_ path: String, as session: (cookie: String, csrf: String)) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "GET", path: path, headers: ["Cookie": session.cookie])
    }

    func post(_ path: String, _ fields: [(String, String)], as session: (cookie: String, csrf: String), csrf: Bool = true) throws -> HTTPGet.Reply {
        try HTTPGet.request(port: portal.port, method: "POST", path: path,
                            headers: ["Cookie": session.cookie, "Content-Type": "application/x-www-form-urlencoded"],
                            body: FormParameters.encode((csrf ? [("csrf_token", session.csrf)] : []) + fields))
    }

    /// A sale credited to `partnerID` through the API.
    func sale(_ externalID: String, amount: Int64, partnerID: Int64) throws {
        let reply = try HTTPGet.request(port: portal.port, method: "POST", path: "/api/v1/conversions",
                                        headers: ["Authorization": "Bearer \(secretKey)", "Content-Type": "application/json"],
                                        body: #"{"external_id":"\#(externalID)","type":"sale","amount":\#(amount),"partner_id":\#(partnerID)}"#)
        precondition(reply.status == 201, "sale: \(reply.status) \(reply.body)")
    }
}
