import Testing
@testable import PortalCore

@Suite struct PartnerTreeTests {
    @Test func depthFirstByNameAndSafeFromCycles() {
        let rows: [(id: Int64, name: String, status: String, parent: Int64, depth: Int)] = [
            (3, "Zed", "approved", 1, 1), (2, "Amy", "approved", 1, 1), (4, "Bea", "pending", 2, 2), (5, "Cal", "approved", 4, 3),
            // A cycle in old data (1 under 5) and a repeated child must not loop or repeat.
            (1, "Root", "approved", 5, 4), (4, "Bea", "pending", 2, 2),
        ]
        let nodes = PartnerTree.depthFirst(rows, root: 1)
        #expect(nodes.map(\.id) == [2, 4, 5, 3])
        #expect(nodes.map(\.depth) == [1, 2, 3, 1])
    }

    @Test func noteText() {
        #expect(PartnerNotes.problem("  \n ") == "Write the note first.")
        #expect(PartnerNotes.problem(String(repeating: "x", count: 5001)) == "Keep a note under 5,000 characters.")
        #expect(PartnerNotes.problem("Fine") == nil)
    }
}
