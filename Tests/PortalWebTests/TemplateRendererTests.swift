import Foundation
import Testing
@testable import PortalWeb

/// Templates: escaping by default, layouts by inheritance, reload in development.
@Suite struct TemplateRendererTests {
    func folder(_ files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "templates-\(UUID().uuidString)"
        for (name, text) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return directory
    }

    struct Model { let name: String; let items: [String] }

    @Test func valuesAreHTMLEscaped() throws {
        let renderer = try TemplateRenderer(directory: try folder(["hello.mustache": "<p>{{name}}</p>"]), reloads: false)
        let html = try renderer.render("hello", Model(name: #"<script>alert("x")</script>&'"#, items: []))
        #expect(html == "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>")
    }

    @Test func pagesExtendLayoutsAndUsePartials() throws {
        let directory = try folder([
            "layouts/base.mustache": "<main>{{> partials.head}}{{$content}}default{{/content}}</main>",
            "partials/head.mustache": "<h1>{{name}}</h1>",
            "pages/list.mustache": "{{<layouts.base}}{{$content}}<ul>{{#items}}<li>{{.}}</li>{{/items}}</ul>{{/content}}{{/layouts.base}}",
        ])
        let renderer = try TemplateRenderer(directory: directory, reloads: false)
        let html = try renderer.render("pages/list", Model(name: "Links", items: ["a", "b<"]))
        #expect(html == "<main><h1>Links</h1><ul><li>a</li><li>b&lt;</li></ul></main>")
    }

    @Test func developmentModeReloadsFromDisk() throws {
        let directory = try folder(["page.mustache": "one"])
        let cached = try TemplateRenderer(directory: directory, reloads: false)
        let live = try TemplateRenderer(directory: directory, reloads: true)
        try "two".write(toFile: directory + "/page.mustache", atomically: true, encoding: .utf8)
        #expect(try cached.render("page", Model(name: "", items: [])) == "one")
        #expect(try live.render("page", Model(name: "", items: [])) == "two")
    }

    @Test func unknownTemplateAndMissingFolderAreClearErrors() throws {
        let renderer = try TemplateRenderer(directory: try folder(["a.mustache": "a"]), reloads: false)
        #expect(throws: TemplateRenderer.Failure.self) { try renderer.render("nope", Model(name: "", items: [])) }
        #expect(throws: TemplateRenderer.Failure.self) { try TemplateRenderer(directory: "/nonexistent/templates", reloads: false) }
    }

    @Test func theProjectTemplatesParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        _ = try TemplateRenderer(directory: root.appendingPathComponent("Templates").path, reloads: false)
    }
}
