import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

/// The partner resource library: the partner's own link merged everywhere, filters, counted downloads with safe
/// headers, and nothing of another program or group, archived or out of date reachable (404).
@Suite struct PartnerResourcesPageTests {
    struct Library {
        let portal: RunningPortal
        let team: PortalTeam
        let ada: (partnerID: Int64, userID: Int64)
        let banner: Resource, goldOnly: Resource, expired: Resource, email: Resource, guide: Resource

        init() throws {
            portal = try RunningPortal(seedDemo: false)
            team = try PortalTeam(portal: portal)
            let ada = try team.partner("Ada")
            self.ada = ada
            let now = Int64(Date().timeIntervalSince1970)
            let programID = team.programID
            let store = ResourceStore()
            let created = try portal.database.write { db in
                try db.execute("UPDATE partners SET group_name = 'gold' WHERE id = ?", [ada.partnerID])
                try db.execute("""
                    INSERT INTO links (program_id, partner_id, code, destination_url, campaign, created_at)
                    VALUES (?, ?, 'ada-main', 'https://shop.example/', '', 0), (?, ?, 'ada-blog', 'https://shop.example/', 'blog', 1)
                    """, [programID, ada.partnerID, programID, ada.partnerID])
                _ = try CouponStore().create(in: db, programID: programID, partnerID: ada.partnerID, code: "ADA20", now: 0)
                var banner = NewResource(kind: .creative, title: "Leaderboard \"A\" <b>")
                banner.campaign = "Evergreen"
                banner.files = [
                    NewResourceFile(contentType: "image/svg+xml", fileName: "lead er\"board.svg", width: 728, height: 90,
                                    data: Array(DemoLibrary.bannerSVG(width: 728, height: 90, headline: "Hi").utf8)),
                    NewResourceFile(variant: .thumbnail, contentType: "image/png", fileName: "thumb.png", width: 182, height: 23, data: [0x89, 0x50, 0x4E, 0x47]),
                    NewResourceFile(variant: .mobile, contentType: "image/svg+xml", fileName: "mobile.svg", width: 320, height: 50,
                                    data: Array(DemoLibrary.bannerSVG(width: 320, height: 50, headline: "Hi").utf8)),
                ]
                var gold = NewResource(kind: .creative, title: "Gold partners only")
                gold.groupName = "gold"
                gold.files = [NewResourceFile(contentType: "image/png", fileName: "gold.png", width: 300, height: 250, data: Array(repeating: 1, count: 2048))]
                var expired = NewResource(kind: .campaign, title: "Summer launch")
                expired.campaign = "Summer"
                expired.startsAt = now - 100 * 86_400
                expired.endsAt = now - 90 * 86_400
                expired.files = [NewResourceFile(contentType: "image/png", fileName: "summer.png", data: [1, 2, 3])]
                var winter = NewResource(kind: .campaign, title: "Winter sale")
                winter.campaign = "Winter"
                winter.startsAt = now - 86_400
                winter.endsAt = now + 20 * 86_400
                try store.create(in: db, programID: programID, winter, now: 0)
                var email = NewResource(kind: .template, title: "Newsletter")
                email.channel = "email"
                email.body = "Try it: [link]\nCode [coupon], from [partner_name]. [unknown]"
                var guide = NewResource(kind: .guideline, title: "Brand guidelines")
                guide.body = "## Do\n**Disclose** it. <script>alert(1)</script> [x](javascript:alert(1))"
                return (try store.create(in: db, programID: programID, banner, now: 0), try store.create(in: db, programID: programID, gold, now: 0),
                        try store.create(in: db, programID: programID, expired, now: 0), try store.create(in: db, programID: programID, email, now: 0),
                        try store.create(in: db, programID: programID, guide, now: 0))
            }
            (banner, goldOnly, expired, email, guide) = created
        }

        func downloads() throws -> Int64 {
            try portal.database.read { db in try db.queryValue("SELECT count(*) FROM resource_downloads", as: Int64.self) } ?? -1
        }
    }

    @Test func libraryMergesThePartnersOwnLinkAndFilters() throws {
        let library = try Library()
        let ada = try library.team.session(library.ada.userID)
        let page = try library.team.get("/portal/resources", as: ada)
        #expect(page.status == 200)
        let body = page.body
        // Embed snippet with the first link, escaped once for the textarea (and again inside data-copy).
        #expect(body.contains("&lt;a href=&quot;http://127.0.0.1:8080/r/ada-main&quot; rel=&quot;sponsored&quot;&gt;"))
        #expect(body.contains("width=&quot;728&quot; height=&quot;90&quot; alt=&quot;Leaderboard &amp;quot;A&amp;quot; &amp;lt;b&amp;gt;&quot;"))
        #expect(body.contains("http://127.0.0.1:8080/assets/creatives/\(library.banner.files[0].id)/"))
        #expect(body.contains("Try it: http://127.0.0.1:8080/r/ada-main\nCode ADA20, from Ada. [unknown]"))
        #expect(body.contains(#"<img class="resource-preview" src="/portal/resources/files/\#(library.banner.files[1].id)/preview""#))
        #expect(body.contains(#"alt="Leaderboard &quot;A&quot; &lt;b&gt;""#))
        #expect(body.contains("SVG · 728×90"))
        #expect(body.contains("Mobile size"))
        #expect(body.contains("Gold partners only"))
        #expect(body.contains("Winter sale"))
        #expect(!body.contains("Summer launch"))
        #expect(!body.contains("<b>"))
        #expect(body.contains(#"data-copy=""#))
        // Picking another of the partner's links; a code that is not theirs is not found.
        let blog = try library.team.get("/portal/resources?link=ada-blog", as: ada).body
        #expect(blog.contains("Try it: http://127.0.0.1:8080/r/ada-blog"))
        #expect(blog.contains(#"<option value="ada-blog" selected>"#))
        #expect(try library.team.get("/portal/resources?link=someone-else", as: ada).status == 404)
        // Filters: kind tabs and campaigns, validated.
        let templates = try library.team.get("/portal/resources?kind=template", as: ada).body
        #expect(templates.contains("Newsletter") && !templates.contains("Gold partners only"))
        #expect(templates.contains(#"href="/portal/resources?kind=template" aria-current="page""#))
        let winter = try library.team.get("/portal/resources?campaign=Winter", as: ada).body
        #expect(winter.contains("Winter sale") && !winter.contains("Newsletter"))
        #expect(try library.team.get("/portal/resources?kind=banners", as: ada).status == 404)
        #expect(try library.team.get("/portal/resources?campaign=Summer", as: ada).status == 404)
        // Markdown pages render, inert.
        let guide = try library.team.get("/portal/resources/\(library.guide.id)", as: ada)
        #expect(guide.status == 200)
        #expect(guide.body.contains("<h2>Do</h2>") && guide.body.contains("<strong>Disclose</strong>"))
        #expect(guide.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!guide.body.contains("javascript:"))
        #expect(try library.team.get("/portal/resources/\(library.expired.id)", as: ada).status == 404)
        // One template and one creative on their own pages, with the picked link.
        let email = try library.team.get("/portal/resources/\(library.email.id)?link=ada-blog", as: ada)
        #expect(email.status == 200)
        #expect(email.body.contains("Try it: http://127.0.0.1:8080/r/ada-blog\nCode ADA20"))
        #expect(email.body.contains(#"<option value="ada-blog" selected>"#))
        #expect(try library.team.get("/portal/resources/\(library.email.id)?link=nope", as: ada).status == 404)
        let banner = try library.team.get("/portal/resources/\(library.banner.id)", as: ada).body
        #expect(banner.contains("/r/ada-main&quot; rel=&quot;sponsored&quot;"))
        #expect(banner.contains("Mobile size"))
        #expect(!(try library.team.get("/portal/resources/\(library.guide.id)", as: ada).body.contains(#"name="link""#)))
    }

    @Test func aPartnerWithoutLinksIsAskedToCreateOne() throws {
        let library = try Library()
        let bob = try library.team.session(try library.team.partner("Bob").userID)
        let body = try library.team.get("/portal/resources", as: bob).body
        #expect(body.contains(#"<a href="/portal/links">create a link first</a>"#))
        #expect(body.contains("Try it: [link]"))
        #expect(!body.contains("Embed code"))
        #expect(!body.contains("Gold partners only"))
    }

    @Test func downloadsAreCountedAndServedAsAttachments() throws {
        let library = try Library()
        let ada = try library.team.session(library.ada.userID)
        let original = library.banner.files[0], thumbnail = library.banner.files[1]
        let preview = try library.team.get("/portal/resources/files/\(thumbnail.id)/preview", as: ada)
        #expect(preview.status == 200)
        #expect(preview.headers["content-type"] == "image/png")
        #expect(preview.headers["content-disposition"] == nil)
        #expect(try library.downloads() == 0)

        let download = try library.team.get("/portal/resources/files/\(original.id)/download", as: ada)
        #expect(download.status == 200)
        #expect(download.headers["content-type"] == "image/svg+xml")
        #expect(download.headers["content-disposition"] == #"attachment; filename="lead_er_board.svg""#)
        #expect(download.headers["x-content-type-options"] == "nosniff")
        #expect(download.headers["content-security-policy"]?.hasPrefix("default-src 'none'; style-src 'unsafe-inline'") == true)
        #expect(download.headers["cache-control"]?.hasPrefix("private") == true)
        #expect(download.body.hasPrefix("<svg"))
        #expect(try library.downloads() == 1)
        _ = try library.team.get("/portal/resources/files/\(library.banner.files[2].id)/download", as: ada)
        #expect(try library.downloads() == 2)
        let row = try #require(try library.portal.database.read { db in
            try db.queryOne("SELECT resource_id, file_id, partner_id, user_id FROM resource_downloads ORDER BY id LIMIT 1")
        })
        #expect(try row["resource_id"] as Int64 == library.banner.id)
        #expect(try row["file_id"] as Int64 == original.id)
        #expect(try row["partner_id"] as Int64 == library.ada.partnerID)
        #expect(try row["user_id"] as Int64? == library.ada.userID)
        // HEAD is not a download.
        let head = try HTTPGet.request(port: library.portal.port, method: "HEAD", path: "/portal/resources/files/\(original.id)/download",
                                       headers: ["Cookie": ada.cookie])
        #expect(head.status == 200)
        #expect(try library.downloads() == 2)

        // The public embed address serves the image without a session, only with the right token.
        let token = ResourceStore.publicToken(original)
        let embedded = try library.portal.get("/assets/creatives/\(original.id)/\(token)")
        #expect(embedded.status == 200)
        #expect(embedded.headers["content-security-policy"]?.hasPrefix("default-src 'none'") == true)
        #expect(try library.portal.get("/assets/creatives/\(original.id)/0123456789abcdef").status == 404)
        #expect(try library.downloads() == 2)
    }

    @Test func otherGroupsAndProgramsGetNotFound() throws {
        let library = try Library()
        let goldFile = library.goldOnly.files[0].id
        let expiredFile = library.expired.files[0].id
        // Bob: same program, no group.
        let bob = try library.team.session(try library.team.partner("Bob").userID)
        // Cy: another program.
        let otherTeam = try PortalTeam(portal: library.portal)
        let cy = try otherTeam.session(try otherTeam.partner("Cy").userID)
        for session in [bob, cy] {
            #expect(try library.team.get("/portal/resources/\(library.goldOnly.id)", as: session).status == 404)
            #expect(try library.team.get("/portal/resources/files/\(goldFile)/download", as: session).status == 404)
            #expect(try library.team.get("/portal/resources/files/\(goldFile)/preview", as: session).status == 404)
        }
        #expect(try library.team.get("/portal/resources/\(library.banner.id)", as: cy).status == 404)
        #expect(try library.team.get("/portal/resources/files/\(library.banner.files[0].id)/download", as: cy).status == 404)
        #expect(!(try library.team.get("/portal/resources", as: cy).body.contains("Leaderboard")))
        // Expired and archived resources are gone for their own partner too.
        let ada = try library.team.session(library.ada.userID)
        #expect(try library.team.get("/portal/resources/files/\(expiredFile)/download", as: ada).status == 404)
        try library.portal.database.write { db in
            try ResourceStore().archive(in: db, id: library.banner.id, programID: library.team.programID, now: 0)
        }
        #expect(try library.team.get("/portal/resources/files/\(library.banner.files[0].id)/download", as: ada).status == 404)
        #expect(try library.team.get("/portal/resources/\(library.banner.id)", as: ada).status == 404)
        #expect(try library.downloads() == 0)
        // Any team role may view and download.
        let viewer = try library.team.session(try library.team.member(of: library.ada.partnerID, name: "Vic", role: .partnerViewer))
        #expect(try library.team.get("/portal/resources/files/\(goldFile)/download", as: viewer).status == 200)
        #expect(try library.downloads() == 1)
    }
}
