import Foundation
import Store
import Testing
@testable import PortalCore

/// Upload checks (type from the bytes, size limit), the SVG allow-list rewrite, SVG variants, the admin form's rules,
/// and the admin store queries (file replacement, usage, terms versions).
@Suite struct ResourceUploadTests {
    static func pngHeader(width: Int, height: Int) -> [UInt8] {
        func be32(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52] + be32(width) + be32(height)
            + [8, 6, 0, 0, 0, 0, 0, 0, 0]
    }

    func checked(_ bytes: [UInt8], _ name: String = "file.bin") throws -> ResourceUpload.Checked {
        try ResourceUpload.check(bytes, fileName: name).get()
    }

    func refusal(_ bytes: [UInt8], _ name: String = "file.bin") -> String? {
        if case .failure(let refusal) = ResourceUpload.check(bytes, fileName: name) { return refusal.message }
        return nil
    }

    func svg(_ text: String) throws -> SVGSanitizer.Document { try SVGSanitizer.sanitize(text).get() }

    @Test func typeIsDecidedFromTheBytesNotTheName() throws {
        let png = try checked(Self.pngHeader(width: 728, height: 90), "banner.exe")
        #expect(png.type == .png && png.width == 728 && png.height == 90)
        #expect(png.fileName == "banner.png")
        #expect(png.newFile(.original).contentType == "image/png")
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C, 0x02, 0x58, 0x03, 0, 0, 0, 0, 0, 0, 0, 0]
        let photo = try checked(jpeg, "photo.png")
        #expect(photo.type == .jpeg && photo.width == 600 && photo.height == 300 && photo.fileName == "photo.jpg")
        #expect(try checked(Array("%PDF-1.7\n...".utf8), "guide.docx").type == .pdf)
        #expect(try checked([0x50, 0x4B, 0x03, 0x04, 1, 2, 3], "kit.zip").fileName == "kit.zip")
        let mp4 = try checked([0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 0, 0], "clip.mov")
        #expect(mp4.type == .mp4 && mp4.fileName == "clip.mp4" && mp4.width == nil)
        let csv = try checked(Array("name,code\nAna,ANA10\n".utf8), "../../codes.csv")
        #expect(csv.type == .text && csv.fileName == "codes.csv" && csv.newFile(.original).contentType == "text/plain")
        #expect(try checked(Array("héllo".utf8), "notes.exe").fileName == "notes.txt")
        #expect(try checked(Array("x".utf8), "<script>.txt").fileName == "_script_.txt")
    }

    @Test func emptyLargeAndUnknownFilesAreRefusedWithAReason() throws {
        #expect(refusal([]) == "The file is empty.")
        let large = [UInt8](repeating: 0x41, count: ResourceUpload.maximumBytes + 1)
        #expect(refusal(large)?.contains("larger than 10 MB") == true)
        #expect(try checked([UInt8](repeating: 0x41, count: ResourceUpload.maximumBytes)).type == .text)
        #expect(refusal([0x4D, 0x5A, 0x90, 0x00, 0x03])?.contains("not accepted") == true) // a Windows executable
        #expect(refusal(Array("a\u{0}b".utf8))?.contains("not accepted") == true)
        #expect(refusal([0xC3, 0x28, 0x41])?.contains("not accepted") == true) // invalid UTF-8
        // HTML is markup but not SVG: refused, never stored as "text".
        #expect(refusal(Array("<html><script>alert(1)</script></html>".utf8)) == "This file is neither plain text nor an SVG image.")
        // A PNG signature with a broken header is not an image, and not text either.
        #expect(refusal(Array(Self.pngHeader(width: 0, height: 10)))?.contains("not accepted") == true)
    }

    @Test func svgIsRewrittenThroughTheAllowList() throws {
        let hostile = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- made by hand -->
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="728" height="90" onload="alert(1)" style="x">
              <script>alert(1)</script>
              <style>rect { fill: url(http://evil.example/x) }</style>
              <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/></linearGradient></defs>
              <rect width="728" height="90" fill="url(#g)" onclick="steal()"/>
              <rect width="10" height="10" fill="url(https://evil.example/f.svg#g)"/>
              <use xlink:href="#g"/>
              <use href="https://evil.example/sprite.svg#icon"/>
              <a href="javascript:alert(1)"><text x="1" y="2">link</text></a>
              <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
              <image href="https://evil.example/track.png" width="1" height="1"/>
              <text x="10" y="50" font-size="20">Save 20% &amp; more &lt;now&gt; &#x263A;</text>
              <animate attributeName="href" to="javascript:alert(1)"/>
            </svg>
            """
        let document = try svg(hostile)
        #expect(document.width == 728 && document.height == 90)
        let out = document.render()
        #expect(out.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg" width="728" height="90">"#))
        for banned in ["script", "onload", "onclick", "style", "evil", "javascript", "foreignObject", "<image", "<a", "animate", "xlink", "<?xml", "<!--"] {
            #expect(!out.contains(banned), "kept \(banned)")
        }
        #expect(out.contains(#"<rect width="728" height="90" fill="url(#g)"/>"#))
        #expect(out.contains(#"<rect width="10" height="10"/>"#))
        #expect(out.contains(##"<use href="#g"/>"##) && out.contains("<use/>"))
        #expect(out.contains(##"<stop offset="0" stop-color="#fff"/>"##))
        #expect(out.contains("Save 20% &amp; more &lt;now&gt; \u{263A}</text>"))
        // The rewrite is stable: sanitising the output again gives the same text.
        #expect(try svg(out).render() == out)
    }

    @Test func svgWithDeclarationsOrBrokenMarkupIsRefused() throws {
        func refused(_ text: String) -> String? {
            if case .failure(let refusal) = SVGSanitizer.sanitize(text) { return refusal.message }
            return nil
        }
        let billion = #"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg width="1" height="1"><text>&a;</text></svg>"#
        #expect(refused(billion)?.contains("DOCTYPE") == true)
        #expect(refused(#"<svg width="1" height="1"><text><![CDATA[x]]></text></svg>"#)?.contains("CDATA") == true)
        #expect(refused(#"<svg width="1" height="1"><text>&nbsp;</text></svg>"#)?.contains("entity") == true)
        #expect(refused(#"<svg width="1" height="1"><g></svg>"#) != nil)
        #expect(refused(#"<svg width="1" height="1" x=1></svg>"#)?.contains("quoted") == true)
        #expect(refused(#"<svg width="1" height="1"></svg><svg/>"#)?.contains("after the root") == true)
        #expect(refused(#"<svg><rect/></svg>"#)?.contains("no size") == true)
        #expect(refused(#"<html width="1" height="1"></html>"#) == "This file is neither plain text nor an SVG image.")
        #expect(refused(String(repeating: "<g>", count: 100)) != nil)
        // Through the upload check too: an SVG with script is accepted only as its rewrite.
        let upload = try checked(Array(#"<svg viewBox="0 0 100 50"><script>x()</script><circle r="5"/></svg>"#.utf8), "logo.svg")
        #expect(upload.type == .svg && upload.width == 100 && upload.height == 50 && upload.fileName == "logo.svg")
        #expect(String(decoding: upload.data, as: UTF8.self) == #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"><circle r="5"/></svg>"#)
    }

    @Test func svgVariantsAreTheSameDrawingAtSmallerSizes() throws {
        let wide = try checked(Array(##"<svg width="1280" height="640"><rect width="1280" height="640" fill="#123456"/></svg>"##.utf8), "hero.svg")
        let variants = ResourceUpload.variants(of: wide)
        #expect(variants.map(\.variant) == [.thumbnail, .mobile])
        #expect(variants.map { $0.width ?? 0 } == [320, 640] && variants.map { $0.height ?? 0 } == [160, 320])
        let thumbnail = String(decoding: variants[0].data, as: UTF8.self)
        #expect(thumbnail.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 1280 640">"#))
        #expect(thumbnail.contains(##"fill="#123456""##))
        #expect(try svg(thumbnail).width == 320)
        // Narrow SVGs need no variant; raster images get none made on the server.
        let narrow = try checked(Array(#"<svg width="300" height="250"></svg>"#.utf8))
        #expect(ResourceUpload.variants(of: narrow).isEmpty)
        let middle = try checked(Array(#"<svg width="468" height="60"></svg>"#.utf8))
        #expect(ResourceUpload.variants(of: middle).map(\.variant) == [.thumbnail])
        #expect(ResourceUpload.variants(of: try checked(Self.pngHeader(width: 2000, height: 1000))).isEmpty)
    }

    @Test func uploadedVariantsMustBeImagesNoWiderThanTheOriginal() throws {
        let small = Self.pngHeader(width: 320, height: 40)
        #expect((try? ResourceUpload.checkVariant(small, fileName: "t.png", variant: .thumbnail, originalWidth: 728).get())?.width == 320)
        if case .failure(let refusal) = ResourceUpload.checkVariant(small, fileName: "t.png", variant: .mobile, originalWidth: 300) {
            #expect(refusal.message.contains("must not be wider than the original"))
        } else { Issue.record("a wider variant was accepted") }
        if case .failure(let refusal) = ResourceUpload.checkVariant(Array("%PDF-1.4".utf8), fileName: "t.pdf", variant: .thumbnail, originalWidth: nil) {
            #expect(refusal.message == "The thumbnail must be a PNG, JPEG, GIF, WebP or SVG image.")
        } else { Issue.record("a PDF thumbnail was accepted") }
    }

    @Test func resourceFormRules() throws {
        func errors(_ fields: [String: String]) -> [String: [String]] {
            if case .failure(let failure) = ResourceForm(fields: fields).validate(groups: ["gold"]) { return failure.fields }
            return [:]
        }
        #expect(errors(["kind": "poster", "title": ""]).keys.sorted() == ["kind", "title"])
        #expect(errors(["kind": "creative", "title": "A", "group": "silver"])["group"] == ["Choose everyone or one of the program's groups."])
        #expect(errors(["kind": "template", "title": "A"])["body"] == ["Write the template's copy."])
        #expect(errors(["kind": "guideline", "title": "A", "body": "  "])["body"] == ["Write the page's text."])
        #expect(errors(["kind": "creative", "title": "A", "starts_on": "2026-12-10", "ends_on": "2026-12-01"])["ends_on"]?.isEmpty == false)
        #expect(errors(["kind": "creative", "title": "A", "starts_on": "2026-02-30"])["starts_on"] == ["Enter a date like 2026-12-01."])
        #expect(errors(["kind": "template", "title": "A", "body": "x", "channel": "fax"])["channel"] != nil)
        #expect(errors(["kind": "creative", "title": "A", "position": "first"])["position"] != nil)

        let fields = ["kind": "campaign", "title": " Winter sale ", "campaign": "Winter", "group": "gold", "starts_on": "2026-12-01",
                      "ends_on": "2026-12-31", "channel": "email", "position": "3"]
        let new = try ResourceForm(fields: fields).validate(groups: ["gold"]).get()
        #expect(new.title == "Winter sale" && new.groupName == "gold" && new.campaign == "Winter" && new.position == 3)
        #expect(new.startsAt == 1_796_083_200 && new.endsAt == 1_796_083_200 + 31 * 86_400) // the end day is included
        #expect(new.channel == "") // only templates have a channel
        let stored = Resource(id: 1, programID: 1, kind: new.kind, title: new.title, description: "", campaign: new.campaign, body: "",
                              channel: "", startsAt: new.startsAt, endsAt: new.endsAt, groupName: new.groupName, position: 3, createdAt: 0, files: [])
        let shown = ResourceForm(stored)
        #expect(shown.startsOn == "2026-12-01" && shown.endsOn == "2026-12-31" && shown.group == "gold")
    }

    @Test func storeReplacesFilesKeepsDownloadsAndReportsUsage() throws {
        let fixture = try EngineFixture()
        let store = ResourceStore()
        let now = EngineFixture.t0
        let ana = try fixture.partner("Ana")
        let bo = try fixture.partner("Bo")
        let other = try fixture.pool.write { db in try ProgramStore().create(in: db, NewProgram(name: "Other", slug: "other", currency: "USD"), now: 0) }
        let resource = try fixture.pool.write { db -> Resource in
            var new = NewResource(kind: .creative, title: "Banner")
            new.files = [NewResourceFile(contentType: "image/png", fileName: "a.png", width: 728, height: 90, data: [1]),
                         NewResourceFile(variant: .thumbnail, contentType: "image/png", fileName: "a.png", width: 320, height: 40, data: [2])]
            return try store.create(in: db, programID: fixture.programID, new, now: now)
        }
        let thumbnail = try #require(resource.file(.thumbnail))
        try fixture.pool.write { db in
            try store.recordDownload(in: db, file: try #require(resource.file(.original)), partnerID: ana, userID: nil, now: now)
            try store.recordDownload(in: db, file: thumbnail, partnerID: ana, userID: nil, now: now + 5)
            try store.recordDownload(in: db, file: thumbnail, partnerID: bo, userID: nil, now: now + 1)
            try store.recordRead(in: db, resourceID: resource.id, partnerID: bo, userID: nil, now: now + 2)
        }
        // Another program can neither edit nor add files.
        let hijacked = try fixture.pool.write { db -> Bool in
            try store.update(in: db, id: resource.id, programID: other.id, NewResource(kind: .page, title: "Hijack"))
        }
        #expect(!hijacked)
        #expect(throws: ResourceStore.Failure.self) {
            try fixture.pool.write { db in try store.storeFiles(in: db, resourceID: resource.id, programID: other.id, [], now: now) }
        }
        #expect(try fixture.pool.read { db in try store.adminResource(in: db, id: resource.id, programID: other.id) } == nil)
        // A new original replaces the old one in place and drops the stale thumbnail; its downloads stay counted.
        try fixture.pool.write { db in
            try store.storeFiles(in: db, resourceID: resource.id, programID: fixture.programID,
                                 [NewResourceFile(contentType: "image/png", fileName: "b.png", width: 300, height: 250, data: [3, 3])], now: now + 10)
        }
        let (rows, anaUsage, totals, byPartner, reads) = try fixture.pool.read { db in
            (try store.adminList(in: db, programID: fixture.programID), try store.partnerUsage(in: db, programID: fixture.programID, partnerID: ana),
             try store.usageTotals(in: db, resourceID: resource.id), try store.downloadsByPartner(in: db, resourceID: resource.id),
             try store.readsByPartner(in: db, resourceID: resource.id))
        }
        let row = try #require(rows.first)
        #expect(row.resource.files.map(\.variant) == [.original] && row.resource.files[0].id == resource.file(.original)?.id)
        #expect(row.resource.files[0].fileName == "b.png" && row.resource.files[0].width == 300)
        #expect(row.downloads == 3 && row.reads == 1)
        #expect(totals.downloads == 3 && totals.partners == 2 && totals.reads == 1)
        #expect(byPartner.map(\.partnerName) == ["Ana", "Bo"] && byPartner.map(\.count) == [2, 1] && byPartner[0].lastAt == now + 5)
        #expect(reads.map(\.partnerName) == ["Bo"])
        #expect(anaUsage.map(\.title) == ["Banner"] && anaUsage[0].downloads == 2 && anaUsage[0].readAt == nil)
        #expect(try fixture.pool.read { db in try store.partnerUsage(in: db, programID: other.id, partnerID: ana) }.isEmpty)
        // Archived resources leave the list but keep their figures.
        try fixture.pool.write { db in try store.archive(in: db, id: resource.id, programID: fixture.programID, now: now) }
        #expect(try fixture.pool.read { db in try store.adminList(in: db, programID: fixture.programID) }.isEmpty)
        #expect(try fixture.pool.read { db in try store.adminList(in: db, programID: fixture.programID, archived: true) }.first?.downloads == 3)
    }

    @Test func termsVersionsCountAcceptances() throws {
        let fixture = try EngineFixture()
        let terms = TermsStore()
        let ana = try fixture.partner("Ana")
        let bo = try fixture.partner("Bo")
        try fixture.pool.write { db in
            let first = try terms.publish(in: db, programID: fixture.programID, bodyMarkdown: "v1", now: 1)
            try terms.accept(in: db, partnerID: ana, version: first, userID: nil, addressHash: nil, now: 2)
            try terms.accept(in: db, partnerID: bo, version: first, userID: nil, addressHash: nil, now: 2)
            let second = try terms.publish(in: db, programID: fixture.programID, bodyMarkdown: "v2", now: 3)
            try terms.accept(in: db, partnerID: ana, version: second, userID: nil, addressHash: nil, now: 4)
            #expect(try terms.needsAcceptance(in: db, partnerID: bo, programID: fixture.programID))
        }
        let versions = try fixture.pool.read { db in try terms.versions(in: db, programID: fixture.programID) }
        #expect(versions.map(\.version.version) == [2, 1] && versions.map(\.accepted) == [1, 2])
    }
}
