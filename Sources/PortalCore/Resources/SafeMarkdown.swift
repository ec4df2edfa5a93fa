import Foundation
import Ink

/// Markdown for resource bodies (pages, training, guidelines, product information) rendered with Ink, with no
/// way for the source to put markup of its own on the page:
///
/// - `<` and `"` in the source are written as entities before Ink parses it, so Ink never sees an HTML tag
///   (it passes raw HTML through) and no text can end an attribute Ink writes. Text shows them as typed.
/// - Link and image URLs are kept only when relative or `http(s):`/`mailto:`; anything else (`javascript:`,
///   `data:`, entity-obfuscated schemes) becomes `#`. Images are rebuilt with a plain-text `alt`.
///
/// See docs/DECISIONS.md, Resources.
public enum SafeMarkdown {
    public static func html(_ markdown: String) -> String {
        var source = ""
        source.reserveCapacity(markdown.utf8.count)
        for character in markdown {
            switch character {
            case "<": source += "&lt;"
            case "\"": source += "&quot;"
            default: source.append(character)
            }
        }
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .links) { html, _ in rewriteLink(html) })
        parser.addModifier(Modifier(target: .images) { html, markdown in rewriteImage(html, markdown: markdown) })
        parser.addModifier(Modifier(target: .html) { html, _ in MarkupEscaping.escape(html) })
        // Code spans and blocks escape `&` again: show the pre-escaped characters as typed there too.
        return parser.html(from: source)
            .replacingOccurrences(of: "&amp;lt;", with: "&lt;")
            .replacingOccurrences(of: "&amp;quot;", with: "&quot;")
    }

    /// Whether a URL (as it appears in an attribute) may be a link or image target.
    public static func isSafeURL(_ url: String) -> Bool {
        let value = url.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if value.hasPrefix("http://") || value.hasPrefix("https://") || value.hasPrefix("mailto:") { return true }
        // Relative: no scheme (no `:`) and no entity before the path starts, so nothing can spell one.
        let head = value.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !head.contains(":") && !head.contains("&") && !value.contains(where: { $0.isNewline || $0 == "\\" })
    }

    /// `<a href="URL">…</a>` with an unsafe URL replaced by `#`.
    static func rewriteLink(_ html: String) -> String {
        let prefix = "<a href=\""
        guard html.hasPrefix(prefix) else { return MarkupEscaping.escape(html) }
        let afterPrefix = html.dropFirst(prefix.count)
        guard let end = afterPrefix.firstIndex(of: "\"") else { return MarkupEscaping.escape(html) }
        let url = String(afterPrefix[..<end])
        let rest = afterPrefix[end...]
        return prefix + (isSafeURL(url) ? url : "#") + rest
    }

    /// `<img src="URL" alt="…"/>` rebuilt from the URL (checked) and the Markdown's alt text (as plain text).
    static func rewriteImage(_ html: String, markdown: Substring) -> String {
        let prefix = "<img src=\""
        guard html.hasPrefix(prefix), let end = html.dropFirst(prefix.count).firstIndex(of: "\"") else { return "" }
        let url = String(html.dropFirst(prefix.count)[..<end])
        guard isSafeURL(url) else { return "" }
        var alt = ""
        if markdown.hasPrefix("!["), let close = markdown.range(of: "](") ?? markdown.range(of: "][") {
            alt = String(markdown[markdown.index(markdown.startIndex, offsetBy: 2)..<close.lowerBound])
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&quot;", with: "\"")
        }
        return "<img src=\"\(url)\" alt=\"\(MarkupEscaping.escape(alt))\" loading=\"lazy\">"
    }
}
