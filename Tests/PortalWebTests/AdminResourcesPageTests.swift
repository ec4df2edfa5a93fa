import Foundation
import HTTPServer
import PortalCore
import Store
import Testing
@testable import PortalWeb

extension PortalTeam {
    /// A `multipart/form-data` POST built by hand, with the session's CSRF token as the first field.
    func upload(_ path: String, fields: [(String, String)] = [], files: [(field: String, name: String, bytes: [UInt8])],
                as session: (cookie: String, csrf: String), csrf: Bool = true) throws -> HTTPGet.Reply {
        let boundary = "----PartnerPortalTest\(Int.random(in: 100_000...999_999))"
        var body: [UInt8] = []
        for (name, value) in (csrf ? [("csrf_token", session.csrf)] : []) + fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return try HTTPGet.request(port: portal.port, method: "POST", path: path,
                                   headers: ["Cookie": session.cookie, "Content-Type": "multipart/form-data; boundary=\(boundary)"], bytes: body)
    }
}

/// `/admin/resources`: the library's admin side — create, edit, upload (type from the bytes, SVG rewritten),
/// archive, usage per asset and per partner, versioned terms — for owners and managers, read-only for viewers,
/// `404` for another program's resources, and every change audited.
@Suite struct AdminResourcesPageTests {
    static func png(width: Int, height: Int) -> [UInt8] {
        func be32(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52] + be32(width) + be32(height)
            + [8, 6, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xAB, count: 64)
    }

    func audits(_ portal: RunningPortal, _ id: Int64) throws -> [String] {
        try portal.database.read { db in
            try db.query("SELECT action FROM audit_log WHERE subject_type = 'resource' AND subject_id = ? ORDER BY id", [id])
                .map { try $0["action"] as String }
        }
    }

    func files(_ portal: RunningPortal, _ id: Int64) throws -> [(variant: String, type: String, width: Int64?, data: [UInt8])] {
        try portal.database.read { db in
            try db.query("SELECT variant, content_type, width, data FROM resource_files WHERE resource_id = ? ORDER BY variant", [id]).map { row in
                (try row["variant"] as String, try row["content_type"] as String, try row["width"] as Int64?, try row["data"] as [UInt8])
            }
        }
    }

    func resourceID(from reply: HTTPGet.Reply) throws -> Int64 {
        let location = try #require(reply.headers["location"])
        let path = location.split(separator: "?")[0]
        return try #require(Int64(path.split(separator: "/").last ?? ""))
    }

    func makeResource(_ portal: RunningPortal, programID: Int64, title: String = "Winter banner") throws -> Resource {
        try portal.database.write { db in
            var new = NewResource(kind: .creative, title: title)
            new.files = [NewResourceFile(contentType: "image/png", fileName: "banner.png", width: 728, height: 90, data: Self.png(width: 728, height: 90))]
            return try ResourceStore().create(in: db, programID: programID, new, now: 0)
        }
    }

    @Test func managerCreatesEditsUploadsAndArchivesWithAudit() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let base = "?program=\(team.programID)"

        let list = try team.get("/admin/resources" + base, as: manager)
        #expect(list.status == 200)
        #expect(list.body.contains("No resources yet.") && list.body.contains("/admin/resources/new"))
        #expect(list.body.contains(#"href="/admin/resources""#)) // the navigation line
        let form = try team.get("/admin/resources/new" + base + "&kind=template", as: manager)
        #expect(form.status == 200 && form.body.contains("[partner_name]") && form.body.contains("[coupon]") && form.body.contains("[link]"))
        #expect(form.body.contains(#"<option value="template" selected>"#))

        // Validation: field errors, nothing stored, nothing audited.
        let invalid = try team.post("/admin/resources" + base, [("kind", "template"), ("title", " "), ("group", "nobody"),
                                                               ("starts_on", "2026-12-10"), ("ends_on", "2026-12-01")], as: manager)
        #expect(invalid.status == 422)
        #expect(invalid.body.contains("Enter a title.") && invalid.body.contains("Write the template"))
        #expect(invalid.body.contains("Choose everyone or one of the program"))
        #expect(invalid.body.contains("The end date must not be before the start date."))
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM resources", as: Int64.self) } == 0)

        // Create, then edit.
        _ = try team.applicant("Gold Partner", status: "approved", group: "gold")
        let created = try team.post("/admin/resources" + base, [("kind", "creative"), ("title", "Winter banner"), ("campaign", "Winter"),
                                                               ("group", "gold"), ("starts_on", "2026-12-01"), ("ends_on", "2026-12-31")],
                                    as: manager)
        #expect(created.status == 303)
        let id = try resourceID(from: created)
        #expect(try audits(portal, id) == ["resource.create"])
        let edit = try team.get("/admin/resources/\(id)" + base, as: manager)
        #expect(edit.status == 200 && edit.body.contains(#"value="Winter banner""#) && edit.body.contains(#"value="2026-12-31""#))
        #expect(edit.body.contains(#"enctype="multipart/form-data""#) && edit.body.contains(#"name="csrf_token""#))
        let updated = try team.post("/admin/resources/\(id)" + base, [("kind", "campaign"), ("title", "Winter sale banner"),
                                                                      ("campaign", "Winter"), ("group", ""), ("starts_on", "2026-12-01"),
                                                                      ("ends_on", "")], as: manager)
        #expect(updated.status == 303)
        let details = try portal.database.read { db in
            try db.queryValue("SELECT details FROM audit_log WHERE action = 'resource.update' AND subject_id = ?", [id], as: String.self)
        }
        #expect(details?.contains("title: Winter banner → Winter sale banner") == true && details?.contains("group: gold → –") == true)
        let badUpdate = try team.post("/admin/resources/\(id)" + base, [("kind", "campaign"), ("title", "")], as: manager)
        #expect(badUpdate.status == 422 && badUpdate.body.contains("Enter a title."))

        // Uploads: the type comes from the bytes; a PNG keeps its size; the admin's thumbnail is checked too.
        let png = try team.upload("/admin/resources/\(id)/files" + base, files: [("file", "banner.exe", Self.png(width: 728, height: 90)),
                                                                               ("thumbnail", "small.png", Self.png(width: 320, height: 40))], as: manager)
        #expect(png.status == 303)
        var stored = try files(portal, id)
        #expect(stored.map(\.variant) == ["original", "thumbnail"] && stored.map(\.width) == [728, 320])
        #expect(try portal.database.read { db in
            try db.queryValue("SELECT file_name FROM resource_files WHERE resource_id = ? AND variant = 'original'", [id], as: String.self)
        } == "banner.png")
        let tooWide = try team.upload("/admin/resources/\(id)/files" + base, files: [("mobile", "m.png", Self.png(width: 1000, height: 90))],
                                      as: manager)
        #expect(tooWide.status == 422 && tooWide.body.contains("must not be wider than the original"))
        let exe = try team.upload("/admin/resources/\(id)/files" + base, files: [("file", "banner.png", [0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0])],
                                  as: manager)
        #expect(exe.status == 422 && exe.body.contains("This type of file is not accepted"))
        let none = try team.upload("/admin/resources/\(id)/files" + base, files: [], as: manager)
        #expect(none.status == 422 && none.body.contains("Choose a file to upload."))
        let large = try team.upload("/admin/resources/\(id)/files" + base,
                                    files: [("file", "big.txt", [UInt8](repeating: 0x41, count: ResourceUpload.maximumBytes + 1))], as: manager)
        #expect(large.status == 422 && large.body.contains("larger than 10 MB"))
        let noToken = try team.upload("/admin/resources/\(id)/files" + base, files: [("file", "a.png", Self.png(width: 10, height: 10))],
                                      as: manager, csrf: false)
        #expect(noToken.status == 403)

        // An SVG is stored as its allow-list rewrite, with its variants made from it; the old thumbnail is replaced.
        let svg = #"<svg width="1280" height="400" onload="alert(1)"><script>alert(2)</script><rect width="1280" height="400" fill="navy"/></svg>"#
        let svgReply = try team.upload("/admin/resources/\(id)/files" + base, files: [("file", "hero.svg", Array(svg.utf8))], as: manager)
        #expect(svgReply.status == 303)
        stored = try files(portal, id)
        #expect(stored.map(\.variant) == ["mobile", "original", "thumbnail"] && stored.allSatisfy { $0.type == "image/svg+xml" })
        #expect(stored.map(\.width) == [640, 1280, 320])
        let original = String(decoding: stored[1].data, as: UTF8.self)
        #expect(!original.contains("script") && !original.contains("onload") && original.contains(#"fill="navy""#))
        #expect(try audits(portal, id) == ["resource.create", "resource.update", "resource.upload", "resource.upload"])
        // The admin preview serves it with the sandboxing headers.
        let fileID = try portal.database.read { db in
            try db.queryValue("SELECT id FROM resource_files WHERE resource_id = ? AND variant = 'original'", [id], as: Int64.self)
        } ?? 0
        let served = try team.get("/admin/resources/\(id)/files/\(fileID)" + base, as: manager)
        #expect(served.status == 200 && served.headers["content-type"] == "image/svg+xml")
        #expect(served.headers["content-security-policy"]?.contains("sandbox") == true && served.headers["x-content-type-options"] == "nosniff")

        // Archive: gone from the list, shown among the archived, audited once.
        let listed = try team.get("/admin/resources" + base + "&kind=campaign&campaign=Winter", as: manager).body
        #expect(listed.contains("Winter sale banner") && listed.contains("From 2026-12-01"))
        #expect(try team.post("/admin/resources/\(id)/archive" + base, [], as: manager).status == 303)
        #expect(try team.post("/admin/resources/\(id)/archive" + base, [], as: manager).status == 303)
        #expect(!(try team.get("/admin/resources" + base, as: manager).body.contains("Winter sale banner")))
        #expect(try team.get("/admin/resources" + base + "&archived=1", as: manager).body.contains("Winter sale banner"))
        #expect(try audits(portal, id).last == "resource.archive")
        #expect(try audits(portal, id).filter { $0 == "resource.archive" }.count == 1)
    }

    @Test func realPNGsGetThumbnailAndMobileVariants() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let resource = try makeResource(portal, programID: team.programID)
        var rgba: [UInt8] = []
        for _ in 0..<250 { for x in 0..<970 { rgba += [UInt8(x % 256), 40, 200, 255] } }
        let png = PNGThumbnail.encode(PNGThumbnail.Pixels(width: 970, height: 250, rgba: rgba))
        let reply = try team.upload("/admin/resources/\(resource.id)/files?program=\(team.programID)", files: [("file", "hero.png", png)],
                                    as: manager)
        #expect(reply.status == 303 && reply.headers["location"]?.hasSuffix("done=uploaded#files") == true)
        let stored = try files(portal, resource.id)
        #expect(stored.map(\.variant) == ["mobile", "original", "thumbnail"] && stored.map(\.width) == [640, 970, 320])
        #expect(ImageInfo.read(stored[2].data) == ImageInfo(format: .png, width: 320, height: 82))
        let page = try team.get("/admin/resources/\(resource.id)?program=\(team.programID)&done=uploaded", as: manager).body
        #expect(page.contains("File uploaded.") && page.contains("320×82") && page.contains("640×165"))
    }

    @Test func templatesShowTheirMergeFieldsFilledWithExamples() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let created = try team.post("/admin/resources?program=\(team.programID)",
                                    [("kind", "template"), ("title", "Launch e-mail"), ("channel", "email"),
                                     ("body", "Hi, [partner_name] here: use [coupon] at [link] <b>now</b>")], as: owner)
        #expect(created.status == 303)
        let page = try team.get("/admin/resources/\(try resourceID(from: created))?program=\(team.programID)", as: owner).body
        #expect(page.contains("Hi, Partner name here: use PARTNER10 at https://example.com/?ref=PARTNER &lt;b&gt;now&lt;/b&gt;"))
        #expect(page.contains(#"<option value="email" selected>"#))
    }

    @Test func viewersReadButCannotChangeAnything() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let viewer = try team.session(try team.staff("Vic", role: .programViewer))
        let resource = try makeResource(portal, programID: team.programID)
        let base = "?program=\(team.programID)"
        let list = try team.get("/admin/resources" + base, as: viewer)
        #expect(list.status == 200 && list.body.contains("Winter banner") && !list.body.contains("New resource"))
        let page = try team.get("/admin/resources/\(resource.id)" + base, as: viewer)
        #expect(page.status == 200 && page.body.contains("<fieldset class=\"plain\" disabled>") && !page.body.contains("multipart/form-data"))
        #expect(try team.get("/admin/resources/\(resource.id)/usage" + base, as: viewer).status == 200)
        #expect(try team.get("/admin/resources/new" + base, as: viewer).status == 403)
        #expect(try team.post("/admin/resources" + base, [("kind", "page"), ("title", "X"), ("body", "x")], as: viewer).status == 403)
        #expect(try team.post("/admin/resources/\(resource.id)" + base, [("kind", "page"), ("title", "X"), ("body", "x")], as: viewer).status == 403)
        #expect(try team.upload("/admin/resources/\(resource.id)/files" + base, files: [("file", "a.png", Self.png(width: 10, height: 10))],
                                as: viewer).status == 403)
        #expect(try team.post("/admin/resources/\(resource.id)/archive" + base, [], as: viewer).status == 403)
        #expect(try team.post("/admin/resources/terms" + base, [("body", "Terms")], as: viewer).status == 403)
        #expect(try audits(portal, resource.id).isEmpty)
        #expect(try portal.database.read { db in try db.queryValue("SELECT count(*) FROM resources", as: Int64.self) } == 1)
    }

    @Test func anotherProgramsResourcesAndPartnersAreNotFound() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let other = try PortalTeam(portal: portal)
        let theirs = try makeResource(portal, programID: other.programID, title: "Their banner")
        let theirPartner = try other.applicant("Their Partner", status: "approved")
        let fileID = try #require(theirs.file(.original)?.id)
        let base = "?program=\(team.programID)"
        #expect(try team.get("/admin/resources/\(theirs.id)" + base, as: manager).status == 404)
        #expect(try team.get("/admin/resources/\(theirs.id)/usage" + base, as: manager).status == 404)
        #expect(try team.get("/admin/resources/\(theirs.id)/files/\(fileID)" + base, as: manager).status == 404)
        #expect(try team.get("/admin/resources/partners/\(theirPartner)" + base, as: manager).status == 404)
        #expect(try team.post("/admin/resources/\(theirs.id)" + base, [("kind", "page"), ("title", "Mine"), ("body", "x")], as: manager).status == 404)
        #expect(try team.upload("/admin/resources/\(theirs.id)/files" + base, files: [("file", "a.png", Self.png(width: 10, height: 10))],
                                as: manager).status == 404)
        #expect(try team.post("/admin/resources/\(theirs.id)/archive" + base, [], as: manager).status == 404)
        #expect(try team.get("/admin/resources?program=\(other.programID)", as: manager).status == 404)
        #expect(!(try team.get("/admin/resources" + base, as: manager).body.contains("Their banner")))
        let untouched = try portal.database.read { db in
            try db.queryValue("SELECT title FROM resources WHERE id = ? AND archived_at IS NULL", [theirs.id], as: String.self)
        }
        #expect(untouched == "Their banner")
        #expect(try audits(portal, theirs.id).isEmpty)
    }

    @Test func usageByAssetAndByPartner() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let manager = try team.session(try team.staff("Max"))
        let resource = try makeResource(portal, programID: team.programID)
        let ana = try team.partner("Ana").partnerID
        let bo = try team.partner("Bo").partnerID
        let file = try #require(resource.file(.original))
        try portal.database.write { db in
            let store = ResourceStore()
            for _ in 0..<3 { try store.recordDownload(in: db, file: file, partnerID: ana, userID: nil, now: 1_794_052_800) }
            try store.recordDownload(in: db, file: file, partnerID: bo, userID: nil, now: 1_794_052_900)
            try store.recordRead(in: db, resourceID: resource.id, partnerID: bo, userID: nil, now: 1_794_053_000)
        }
        let base = "?program=\(team.programID)"
        let list = try team.get("/admin/resources" + base, as: manager).body
        #expect(list.contains(#"<td data-label="Downloads" class="number">4</td>"#) && list.contains(#"<td data-label="Reads" class="number">1</td>"#))
        #expect(list.contains("/admin/resources/partners/\(ana)"))
        let usage = try team.get("/admin/resources/\(resource.id)/usage" + base, as: manager)
        #expect(usage.status == 200)
        let body = usage.body
        #expect(body.contains("<strong>4</strong>") && body.contains("<strong>2</strong>") && body.contains("<strong>1</strong>"))
        let anaAt = body.range(of: ">Ana</a>")?.lowerBound, boAt = body.range(of: ">Bo</a>")?.lowerBound
        #expect(anaAt != nil && boAt != nil && anaAt! < boAt!)
        #expect(body.contains(#"<td data-label="Downloads" class="number">3</td>"#))
        #expect(try team.get("/admin/partners/\(ana)" + base, as: manager).body.contains("/admin/resources/partners/\(ana)?program="))
        let partner = try team.get("/admin/resources/partners/\(ana)" + base, as: manager)
        #expect(partner.status == 200 && partner.body.contains("Resources used by Ana") && partner.body.contains("Winter banner"))
        #expect(partner.body.contains("3 downloads"))
        let quiet = try team.get("/admin/resources/partners/\(try team.partner("Cy").partnerID)" + base, as: manager).body
        #expect(quiet.contains("has not downloaded or read any resource yet"))
    }

    @Test func publishingNewTermsAsksPartnersToAcceptAgain() throws {
        let portal = try RunningPortal(seedDemo: false)
        let team = try PortalTeam(portal: portal)
        let owner = try team.session(try team.staff("Olga", role: .programOwner))
        let manager = try team.session(try team.staff("Max"))
        let ana = try team.partner("Ana").partnerID
        let base = "?program=\(team.programID)"
        let empty = try team.get("/admin/resources/terms" + base, as: owner)
        #expect(empty.status == 200 && empty.body.contains("No terms published yet"))
        #expect(try team.post("/admin/resources/terms" + base, [("body", "  ")], as: owner).status == 422)
        #expect(try team.post("/admin/resources/terms" + base, [("body", "# Terms\n\nBe nice.")], as: manager).status == 403)
        #expect(try team.post("/admin/resources/terms" + base, [("body", "# Terms\n\nBe nice.")], as: owner).status == 303)
        let terms = TermsStore()
        try portal.database.write { db in
            let current = try #require(try terms.current(in: db, programID: team.programID))
            try terms.accept(in: db, partnerID: ana, version: current, userID: nil, addressHash: nil, now: 0)
        }
        #expect(try !portal.database.read { db in try terms.needsAcceptance(in: db, partnerID: ana, programID: team.programID) })
        let same = try team.post("/admin/resources/terms" + base, [("body", "# Terms\n\nBe nice.")], as: owner)
        #expect(same.status == 422 && same.body.contains("This is the current version"))
        #expect(try team.post("/admin/resources/terms" + base, [("body", "# Terms\n\nBe very nice.")], as: owner).status == 303)
        #expect(try portal.database.read { db in try terms.needsAcceptance(in: db, partnerID: ana, programID: team.programID) })
        let page = try team.get("/admin/resources/terms" + base, as: manager)
        #expect(page.status == 200 && page.body.contains("2 (current)") && page.body.contains("1 partners") && page.body.contains("0 partners"))
        #expect(page.body.contains("Be very nice.") && page.body.contains("owners publish terms.") && !page.body.contains("Publish a new version"))
        let audited = try portal.database.read { db in
            try db.query("SELECT details FROM audit_log WHERE action = 'terms.publish' ORDER BY id").map { try $0["details"] as String }
        }
        #expect(audited == ["version 1", "version 2"])
    }
}
