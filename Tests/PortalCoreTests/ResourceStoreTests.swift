import Foundation
import Store
import Testing
@testable import PortalCore

/// The resource library's rules against a migrated database, and its pure pieces: merge fields, the embed
/// snippet's escaping and the Markdown sanitising.
@Suite struct ResourceStoreTests {
    let store = ResourceStore()
    let now = EngineFixture.t0

    func png(_ name: String, variant: ResourceFileVariant = .original) -> NewResourceFile {
        NewResourceFile(variant: variant, contentType: "image/png", fileName: name, width: 728, height: 90, data: Array(name.utf8))
    }

    @Test func visibilityFollowsProgramGroupDatesAndArchive() throws {
        let fixture = try EngineFixture()
        let gold = try fixture.partner("Gold", group: "gold")
        let plain = try fixture.partner("Plain")
        let other = try fixture.pool.write { db in try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other", currency: "USD"), now: 0) }
        let outsider = try fixture.pool.write { db -> Int64 in
            try db.execute("INSERT INTO partners (program_id, name, email, status, created_at) VALUES (?, 'Out', 'out@example.com', 'approved', 0)", [other.id])
            return db.lastInsertRowID
        }
        let day: Int64 = 86_400
        let ids = try fixture.pool.write { db -> [String: Int64] in
            func make(_ title: String, _ change: (inout NewResource) -> Void) throws -> Int64 {
                var new = NewResource(kind: .creative, title: title)
                new.files = [png("\(title).png"), png("\(title)-m.png", variant: .mobile)]
                change(&new)
                return try store.create(in: db, programID: fixture.programID, new, now: now).id
            }
            return [
                "everyone": try make("Everyone") { _ in },
                "gold": try make("Gold only") { $0.groupName = "gold" },
                "emptyGroup": try make("Empty group is everyone") { $0.groupName = "  " },
                "running": try make("Running") { $0.kind = .campaign; $0.campaign = "Winter"; $0.startsAt = now - day; $0.endsAt = now + day },
                "expired": try make("Expired") { $0.kind = .campaign; $0.campaign = "Summer"; $0.startsAt = now - 9 * day; $0.endsAt = now - day },
                "future": try make("Future") { $0.kind = .campaign; $0.startsAt = now + day },
                "archived": try make("Archived") { _ in },
            ]
        }
        try fixture.pool.write { db in try store.archive(in: db, id: ids["archived"]!, programID: fixture.programID, now: now) }
        func titles(_ partner: Int64, programID: Int64? = nil, kind: ResourceKind? = nil, campaign: String? = nil) throws -> [String] {
            try fixture.pool.read { db in
                try store.visible(in: db, programID: programID ?? fixture.programID, partnerID: partner, now: now, kind: kind, campaign: campaign).map(\.title)
            }
        }
        #expect(try titles(gold) == ["Running", "Everyone", "Gold only", "Empty group is everyone"])
        #expect(try titles(plain) == ["Running", "Everyone", "Empty group is everyone"])
        #expect(try titles(gold, kind: .campaign) == ["Running"])
        #expect(try titles(gold, campaign: "Summer") == [])
        #expect(try titles(gold, campaign: "Winter") == ["Running"])
        // A partner of another program sees nothing here, even when asking with this program's id.
        #expect(try titles(outsider) == [])
        #expect(try titles(outsider, programID: other.id) == [])
        #expect(try fixture.pool.read { db in try store.campaigns(in: db, programID: fixture.programID, partnerID: gold, now: now) } == ["Winter"])

        try fixture.pool.read { db in
            let goldOnly = try #require(try store.resource(in: db, id: ids["gold"]!, programID: fixture.programID, partnerID: gold, now: now))
            #expect(goldOnly.files.map(\.variant) == [.original, .mobile])
            #expect(goldOnly.file(.original)?.dimensions == "728×90")
            #expect(try store.resource(in: db, id: ids["gold"]!, programID: fixture.programID, partnerID: plain, now: now) == nil)
            #expect(try store.resource(in: db, id: ids["expired"]!, programID: fixture.programID, partnerID: gold, now: now) == nil)
            #expect(try store.resource(in: db, id: ids["archived"]!, programID: fixture.programID, partnerID: gold, now: now) == nil)
            #expect(try store.resource(in: db, id: ids["everyone"]!, programID: fixture.programID, partnerID: outsider, now: now) == nil)
            // Files follow their resource's visibility.
            let fileID = goldOnly.files[0].id
            let file = try #require(try store.file(in: db, id: fileID, programID: fixture.programID, partnerID: gold, now: now))
            #expect(file.data == Array("Gold only.png".utf8))
            #expect(try store.file(in: db, id: fileID, programID: fixture.programID, partnerID: plain, now: now) == nil)
            #expect(try store.file(in: db, id: fileID, programID: other.id, partnerID: outsider, now: now) == nil)
            let expired = try #require(try db.queryValue("SELECT id FROM resource_files WHERE resource_id = ? LIMIT 1", [ids["expired"]!], as: Int64.self))
            #expect(try store.file(in: db, id: expired, programID: fixture.programID, partnerID: gold, now: now) == nil)
            // The public embed address needs the token and a live resource.
            let token = ResourceStore.publicToken(goldOnly.files[0])
            #expect(try store.publicFile(in: db, id: fileID, token: token, now: now) != nil)
            #expect(try store.publicFile(in: db, id: fileID, token: "0000000000000000", now: now) == nil)
            #expect(try store.publicFile(in: db, id: expired, token: token, now: now) == nil)
        }
    }

    @Test func downloadsAreRecordedPerAssetAndPartner() throws {
        let fixture = try EngineFixture()
        let ada = try fixture.partner("Ada"), bob = try fixture.partner("Bob")
        let resource = try fixture.pool.write { db in
            var new = NewResource(kind: .creative, title: "Banner")
            new.files = [png("b.png")]
            return try store.create(in: db, programID: fixture.programID, new, now: now)
        }
        try fixture.pool.write { db in
            try store.recordDownload(in: db, file: resource.files[0], partnerID: ada, userID: nil, now: now)
            try store.recordDownload(in: db, file: resource.files[0], partnerID: ada, userID: nil, now: now + 1)
            try store.recordDownload(in: db, file: resource.files[0], partnerID: bob, userID: nil, now: now + 2)
        }
        let (perAsset, perPartner) = try fixture.pool.read { db in
            (try store.downloadCounts(in: db, programID: fixture.programID), try store.downloadCounts(in: db, partnerID: ada))
        }
        #expect(perAsset == [resource.id: 3])
        #expect(perPartner == [resource.id: 2])
    }

    @Test func createRefusesBadInput() throws {
        let fixture = try EngineFixture()
        try fixture.pool.write { db in
            var blank = NewResource(kind: .page, title: "  ")
            blank.startsAt = 10
            blank.endsAt = 5
            blank.files = [png("a.png"), png("b.png")]
            #expect(throws: ResourceStore.Failure.self) { try store.create(in: db, programID: fixture.programID, blank, now: now) }
        }
    }

    @Test func mergeFieldsFillKnownValuesAndLeaveTheRest() {
        let values = ["link": "https://p.example/r/ada", "partner_name": "Ada & Co", "coupon": "ADA20"]
        #expect(MergeFields.merge("Try it: [link] — [Partner_Name], code [coupon].", values: values)
                == "Try it: https://p.example/r/ada — Ada & Co, code ADA20.")
        #expect(MergeFields.merge("[unknown] [sic] [a b] [] [link", values: values) == "[unknown] [sic] [a b] [] [link")
        #expect(MergeFields.merge("[[link]]", values: values) == "[https://p.example/r/ada]")
        #expect(MergeFields.merge("no coupon: [coupon]", values: [:]) == "no coupon: [coupon]")
        #expect(MergeFields.fields(in: "[link] [coupon] [link] [x y]") == ["link", "coupon"])
        // The values are not re-scanned: a partner name with brackets stays as it is.
        #expect(MergeFields.merge("[partner_name]", values: ["partner_name": "[link]", "link": "x"]) == "[link]")
    }

    @Test func embedSnippetEscapesEveryAttribute() {
        let html = EmbedSnippet.html(trackingURL: "https://p.example/r/a?x=1&y=\"2\"", imageURL: "https://p.example/i.svg?a=<b>",
                                     width: 728, height: 90, alt: "\"><script>alert(1)</script>")
        #expect(html == #"<a href="https://p.example/r/a?x=1&amp;y=&quot;2&quot;" rel="sponsored"><img src="https://p.example/i.svg?a=&lt;b&gt;" width="728" height="90" alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"></a>"#)
        #expect(!EmbedSnippet.html(trackingURL: "u", imageURL: "i", width: nil, height: nil, alt: "t").contains("width"))
    }

    @Test func markdownRendersButRawHTMLAndScriptLinksStayInert() {
        let html = SafeMarkdown.html("""
            ## Plans
            - **Starter** and *more*
            - [pricing](https://example.com/pricing?a=1&b=2)

            <script>alert(1)</script>
            <img src=x onerror=alert(1)>
            [click](javascript:alert(1)) [again](JAVASCRIPT:alert(1)) [entity](javascript&#58;alert(1)) [data](data:text/html,x)
            [quote](https://x.example/" onmouseover="alert(1)) ![alt "x" <b>](https://x.example/a.png) ![bad](javascript:alert(1))
            ![[x]( onerror=alert(1) )](https://x.example/b.png)

            `<b>code</b>` and 3 < 4 & 5 > 2

            > quoted
            """)
        #expect(html.contains("<h2>Plans</h2>"))
        #expect(html.contains("<strong>Starter</strong>"))
        #expect(html.contains("<em>more</em>"))
        #expect(html.contains(#"<a href="https://example.com/pricing?a=1&b=2">pricing</a>"#) || html.contains(#"<a href="https://example.com/pricing?a=1&amp;b=2">pricing</a>"#))
        #expect(html.contains("<blockquote>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&lt;script>alert(1)&lt;/script>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img src=x"))
        #expect(!html.lowercased().contains("javascript:"))
        #expect(!html.contains("href=\"javascript"))
        #expect(!html.contains("href=\"data:"))
        #expect(html.contains(##"<a href="#">click</a>"##))
        // No attribute can be broken out of: every `on…=` handler text sits inside a quoted value or in text.
        for tag in html.components(separatedBy: "<").dropFirst() {
            let inside = tag.prefix { $0 != ">" }
            var quoted = false
            var outsideQuotes = ""
            for character in inside {
                if character == "\"" { quoted.toggle() } else if !quoted { outsideQuotes.append(character) }
            }
            #expect(outsideQuotes.lowercased().range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil,
                    "an event handler outside quotes in <\(inside)>")
        }
        #expect(html.contains(#"alt="alt &quot;x&quot; &lt;b&gt;""#))
        #expect(html.contains("<code>&lt;b&gt;code&lt;/b&gt;</code>"))
        #expect(SafeMarkdown.isSafeURL("/portal/links") && SafeMarkdown.isSafeURL("mailto:a@b.example") && SafeMarkdown.isSafeURL("page#x"))
        #expect(!SafeMarkdown.isSafeURL(" javascript:x") && !SafeMarkdown.isSafeURL("vbscript:x") && !SafeMarkdown.isSafeURL("java&#x09;script:x"))
    }

    @Test func sizesReadLikeFileManagers() {
        #expect(ResourceFile.size(900) == "900 B")
        #expect(ResourceFile.size(43_008) == "42 KB")
        #expect(ResourceFile.size(3 * 1024 * 1024) == "3.0 MB")
    }

    @Test func demoLibrarySeedsQuickly() throws {
        let fixture = try EngineFixture()
        let ada = try fixture.partner("Ada")
        try fixture.pool.write { db in try DemoLibrary.seed(in: db, programID: fixture.programID, now: now) }
        let visible = try fixture.pool.read { db in try store.visible(in: db, programID: fixture.programID, partnerID: ada, now: now) }
        #expect(visible.filter { $0.kind == .creative }.count == 3)
        #expect(visible.filter { $0.kind == .template }.count == 2)
        #expect(visible.filter { $0.kind == .campaign }.map(\.title) == ["Winter sale: 30% off annual plans"])
        #expect(Set(visible.map(\.kind)).isSuperset(of: [.product, .training, .guideline]))
    }
}
