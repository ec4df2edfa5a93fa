import Foundation
import Store
import Testing
@testable import PortalCore

/// Versioned program terms: versions count up per program, the newest is current, and acceptance is per partner
/// and per version (a new version asks again).
@Suite struct TermsStoreTests {
    @Test func publishingCountsUpAndANewVersionAsksAgain() throws {
        let fixture = try EngineFixture()
        let a = try fixture.partner("Ada"), b = try fixture.partner("Bob")
        let store = TermsStore()
        try fixture.pool.write { db in
            #expect(try store.current(in: db, programID: fixture.programID) == nil)
            #expect(try !store.needsAcceptance(in: db, partnerID: a, programID: fixture.programID))
            #expect(throws: TermsStore.Failure.emptyBody) { try store.publish(in: db, programID: fixture.programID, bodyMarkdown: "  \n", now: 1) }

            let first = try store.publish(in: db, programID: fixture.programID, bodyMarkdown: "Be honest.", now: 10)
            #expect(first.version == 1)
            #expect(try store.current(in: db, programID: fixture.programID) == first)
            #expect(try store.needsAcceptance(in: db, partnerID: a, programID: fixture.programID))

            try store.accept(in: db, partnerID: a, version: first, userID: nil, addressHash: nil, now: 11)
            try store.accept(in: db, partnerID: a, version: first, userID: nil, addressHash: nil, now: 12)   // kept once
            #expect(try !store.needsAcceptance(in: db, partnerID: a, programID: fixture.programID))
            #expect(try store.needsAcceptance(in: db, partnerID: b, programID: fixture.programID))
            #expect(try db.queryValue("SELECT count(*) FROM terms_acceptances", as: Int64.self) == 1)

            let second = try store.publish(in: db, programID: fixture.programID, bodyMarkdown: "Be honest.\n\nNo spam.", now: 20)
            #expect(second.version == 2)
            #expect(try store.current(in: db, programID: fixture.programID)?.id == second.id)
            #expect(try store.needsAcceptance(in: db, partnerID: a, programID: fixture.programID))
            #expect(try store.hasAccepted(in: db, partnerID: a, version: first))
        }
    }

    @Test func versionsAreCountedPerProgram() throws {
        let fixture = try EngineFixture()
        let other = try fixture.pool.write { db in
            try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other", currency: "USD"), now: 0).id
        }
        try fixture.pool.write { db in
            _ = try TermsStore().publish(in: db, programID: fixture.programID, bodyMarkdown: "One", now: 1)
            _ = try TermsStore().publish(in: db, programID: fixture.programID, bodyMarkdown: "Two", now: 2)
            #expect(try TermsStore().publish(in: db, programID: other, bodyMarkdown: "Other one", now: 3).version == 1)
            #expect(try TermsStore().current(in: db, programID: fixture.programID)?.bodyMarkdown == "Two")
        }
    }

    @Test func applicationFieldsAreReadLeniently() {
        let fields = ApplicationField.parse("""
            [{"name": "audience", "label": "Your audience", "type": "textarea", "required": true},
             {"name": "channel", "label": "Channel", "type": "select", "options": ["Blog", "Video"]},
             {"name": "bad name!", "label": "x"}, {"name": "empty", "type": "select"}, {"name": "audience", "label": "again"}, 42]
            """)
        #expect(fields.map(\.name) == ["audience", "channel"])
        #expect(fields[0].problem(with: "") == "Please answer this question.")
        #expect(fields[1].problem(with: "") == nil)
        #expect(fields[1].problem(with: "Radio") == "Choose one of the options.")
        #expect(ApplicationField.parse("not json").isEmpty)
        #expect(ApplicationField(name: "site", label: "Site", type: .url).problem(with: "javascript:alert(1)") != nil)
    }
}
