import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The dashboard's onboarding checklist: link, payout details, the program's guidelines (read once, per partner).
@Suite struct PartnerOnboardingTests {
    @Test func readingTheGuidelinesTicksTheStepForThatPartnerOnly() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let a = try team.partner("Ada"), b = try team.partner("Bob")
        let ada = try team.session(a.userID), bob = try team.session(b.userID)
        // No guidelines yet: no such step.
        #expect(!(try team.get("/portal", as: ada).body.contains("Read the guidelines")))
        let guideline = try portal.database.write { db in
            var new = NewResource(kind: .guideline, title: "Brand guidelines")
            new.body = "# Our logo\n\nKeep clear space around it."
            return try ResourceStore().create(in: db, programID: team.programID, new, now: 0)
        }
        let before = try team.get("/portal", as: ada).body
        #expect(before.contains(#"<a href="/portal/resources/\#(guideline.id)">Read the guidelines: “Brand guidelines”</a>"#))

        let page = try team.get("/portal/resources/\(guideline.id)", as: ada)
        #expect(page.status == 200)
        #expect(page.body.contains("Keep clear space around it."))
        let after = try team.get("/portal", as: ada).body
        #expect(after.contains("Read the guidelines: “Brand guidelines”<span class=\"visually-hidden\"> (done)</span>"))
        // Reading again writes nothing new; Bob's step is still open.
        _ = try team.get("/portal/resources/\(guideline.id)", as: ada)
        #expect(try portal.database.read { db in
            try db.queryValue("SELECT count(*) FROM resource_reads WHERE resource_id = ?", [guideline.id], as: Int64.self)
        } == 1)
        #expect(try team.get("/portal", as: bob).body.contains(#"<a href="/portal/resources/\#(guideline.id)">"#))
    }
}
