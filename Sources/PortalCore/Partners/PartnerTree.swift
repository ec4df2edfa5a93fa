import Store

/// A partner's place in the sub-affiliate tree: the chain of parents above (nearest first) and everyone below, depth
/// first, as the admin's partner page shows it. Reading is bounded (depth and count) so a deep or wide tree, or a
/// cycle in old data, cannot make the page slow.
public struct PartnerTree: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public let id: Int64
        public let name: String
        public let status: String
        /// 1 for a direct sub-affiliate, 2 for theirs, …
        public let depth: Int
    }

    public let parents: [Node]
    public let descendants: [Node]
    /// True when the tree below was cut at `limit` people.
    public let truncated: Bool

    public static let maximumDepth = 10

    public static func load(in db: Database, programID: Int64, partnerID: Int64, limit: Int = 200) throws -> PartnerTree {
        var parents: [Node] = []
        var seen: Set<Int64> = [partnerID]
        var current: Int64? = try db.queryOne("SELECT parent_partner_id FROM partners WHERE id = ? AND program_id = ?", [partnerID, programID])?["parent_partner_id"]
        while let parent = current, seen.insert(parent).inserted, parents.count < maximumDepth {
            guard let row = try db.queryOne("SELECT name, status, parent_partner_id FROM partners WHERE id = ? AND program_id = ?", [parent, programID]) else { break }
            parents.append(Node(id: parent, name: try row["name"], status: try row["status"], depth: -(parents.count + 1)))
            current = try row["parent_partner_id"]
        }
        let rows = try db.query("""
            WITH RECURSIVE below (id, name, status, parent, depth) AS (
                SELECT id, name, status, parent_partner_id, 1 FROM partners WHERE parent_partner_id = ?1 AND program_id = ?2
                UNION ALL
                SELECT p.id, p.name, p.status, p.parent_partner_id, b.depth + 1 FROM partners p JOIN below b ON p.parent_partner_id = b.id
                WHERE b.depth < ?3 AND p.program_id = ?2
            )
            SELECT id, name, status, parent, depth FROM below LIMIT ?4
            """, [partnerID, programID, Int64(maximumDepth), Int64(limit + 1)])
        let flat = try rows.map { row in
            (id: try row["id"] as Int64, name: try row["name"] as String, status: try row["status"] as String,
             parent: try row["parent"] as Int64, depth: Int(try row["depth"] as Int64))
        }
        return PartnerTree(parents: parents, descendants: Self.depthFirst(flat.prefix(limit).map { $0 }, root: partnerID),
                           truncated: flat.count > limit)
    }

    /// Orders (id, parent) rows depth first under `root`, children by name: the order of an indented list. Pure.
    static func depthFirst(_ rows: [(id: Int64, name: String, status: String, parent: Int64, depth: Int)], root: Int64) -> [Node] {
        var children: [Int64: [(id: Int64, name: String, status: String, parent: Int64, depth: Int)]] = [:]
        for row in rows { children[row.parent, default: []].append(row) }
        var result: [Node] = []
        var visited: Set<Int64> = [root]
        func visit(_ parent: Int64, depth: Int) {
            for child in (children[parent] ?? []).sorted(by: { ($0.name, $0.id) < ($1.name, $1.id) }) where visited.insert(child.id).inserted {
                result.append(Node(id: child.id, name: child.name, status: child.status, depth: depth))
                visit(child.id, depth: depth + 1)
            }
        }
        visit(root, depth: 1)
        return result
    }
}
