import Foundation

/// Rewrites an uploaded SVG through a strict allow-list, so what is stored can only draw.
///
/// The input is parsed by a small, strict XML reader of our own (no DTDs, no entities beyond the five predefined
/// ones and character references, no CDATA: a document with `<!DOCTYPE`, `<!ENTITY` or `<![CDATA[` is refused
/// outright, which also rules out entity expansion attacks). The output is written from the parsed tree, never
/// copied: only known shape, text, gradient and structure elements survive (anything else — `script`, `style`,
/// `foreignObject`, `image`, `a`, animation — is dropped with everything inside it), only presentation and
/// geometry attributes survive (no `on…` handlers, no `style`), `href` only as a same-document `#id`, and any
/// `url(…)` only as `url(#id)`. The root must be `<svg>` with a size (width and height, or a viewBox).
/// Pure and bounded: depth and element count are limited.
public enum SVGSanitizer {
    static let maximumDepth = 64
    static let maximumElements = 20_000

    static let elements: Set<String> = [
        "svg", "g", "defs", "title", "desc", "symbol", "use",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "linearGradient", "radialGradient", "stop", "clipPath",
    ]
    /// Elements whose text content is kept.
    static let textElements: Set<String> = ["text", "tspan", "title", "desc"]

    static let attributes: Set<String> = [
        "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "dx", "dy",
        "width", "height", "d", "points", "viewBox", "preserveAspectRatio", "transform", "version",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
        "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity", "visibility",
        "font-family", "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing",
        "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod",
        "clip-path", "clip-rule", "clipPathUnits",
    ]

    /// A sanitised element: allowed name, allowed attributes (decoded values) and children.
    indirect enum Node: Sendable, Equatable {
        case element(name: String, attributes: [(String, String)], children: [Node])
        case text(String)

        static func == (lhs: Node, rhs: Node) -> Bool {
            switch (lhs, rhs) {
            case (.text(let a), .text(let b)): a == b
            case (.element(let n1, let a1, let c1), .element(let n2, let a2, let c2)):
                n1 == n2 && c1 == c2 && a1.map { $0.0 + "=" + $0.1 } == a2.map { $0.0 + "=" + $0.1 }
            default: false
            }
        }
    }

    /// A sanitised SVG document with its size in pixels.
    public struct Document: Sendable, Equatable {
        let root: Node
        public let width: Int
        public let height: Int

        /// The document as text; with `width`/`height` given, the root's size is replaced (keeping or adding a
        /// viewBox, so the drawing scales instead of being cropped).
        public func render(width newWidth: Int? = nil, height newHeight: Int? = nil) -> String {
            guard case .element(let name, var attributes, let children) = root else { return "" }
            if let newWidth, let newHeight {
                if !attributes.contains(where: { $0.0 == "viewBox" }) { attributes.append(("viewBox", "0 0 \(width) \(height)")) }
                attributes.removeAll { $0.0 == "width" || $0.0 == "height" }
                attributes.insert(("height", String(newHeight)), at: 0)
                attributes.insert(("width", String(newWidth)), at: 0)
            }
            var out = ""
            SVGSanitizer.write(.element(name: name, attributes: attributes, children: children), into: &out, root: true)
            return out
        }
    }

    /// Whether text is markup that would be treated as SVG/XML/HTML by a browser (so it is not accepted as plain text).
    public static func looksLikeMarkup(_ text: String) -> Bool {
        let head = text.prefix(1024).lowercased().drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        return head.hasPrefix("<") || text.prefix(4096).lowercased().contains("<svg")
    }

    public static func sanitize(_ text: String) -> Result<Document, ResourceUpload.Refusal> {
        let lower = text.lowercased()
        for banned in ["<!doctype", "<!entity", "<![cdata["] where lower.contains(banned) {
            return .failure(ResourceUpload.Refusal("This SVG declares a DOCTYPE, entities or CDATA, which are not accepted: export it as plain SVG."))
        }
        var reader = Reader(Array(text.unicodeScalars))
        let root: Node
        do {
            guard let parsed = try reader.document() else {
                return .failure(ResourceUpload.Refusal("This file is neither plain text nor an SVG image."))
            }
            root = parsed
        } catch let failure as Failure {
            return .failure(ResourceUpload.Refusal("This SVG could not be read (\(failure.message)); export it again as plain SVG."))
        } catch {
            return .failure(ResourceUpload.Refusal("This SVG could not be read; export it again as plain SVG."))
        }
        guard case .element(let name, var attributes, let children) = root, name == "svg" else {
            return .failure(ResourceUpload.Refusal("This file is neither plain text nor an SVG image."))
        }
        func number(_ name: String) -> Double? {
            guard let value = attributes.first(where: { $0.0 == name })?.1 else { return nil }
            var trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed.hasSuffix("px") { trimmed.removeLast(2) }
            return Double(trimmed)
        }
        var width = number("width")
        var height = number("height")
        if width == nil || height == nil, let box = attributes.first(where: { $0.0 == "viewBox" })?.1 {
            let parts = box.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
            if parts.count == 4 {
                width = width ?? parts[2]
                height = height ?? parts[3]
            }
        }
        guard let width, let height, width >= 1, height >= 1, width <= 100_000, height <= 100_000 else {
            return .failure(ResourceUpload.Refusal("This SVG has no size: give the root <svg> a width and height in pixels, or a viewBox."))
        }
        attributes.removeAll { $0.0 == "xmlns" }
        return .success(Document(root: .element(name: name, attributes: attributes, children: children),
                                 width: Int(width.rounded()), height: Int(height.rounded())))
    }

    // MARK: - Writing

    static func write(_ node: Node, into out: inout String, root: Bool = false) {
        switch node {
        case .text(let text):
            out += MarkupEscaping.escape(text)
        case .element(let name, let attributes, let children):
            out += "<" + name
            if root { out += " xmlns=\"http://www.w3.org/2000/svg\"" }
            for (key, value) in attributes { out += " " + key + "=\"" + MarkupEscaping.escape(value) + "\"" }
            if children.isEmpty {
                out += "/>"
                return
            }
            out += ">"
            for child in children { write(child, into: &out) }
            out += "</" + name + ">"
        }
    }

    /// Whether an allowed attribute's value may be kept.
    static func allowedValue(_ name: String, _ value: String) -> Bool {
        let lower = value.lowercased()
        if name == "href" {
            return isFragment(value)
        }
        if lower.contains("url(") {
            let trimmed = lower.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("url(#"), trimmed.hasSuffix(")"), trimmed.filter({ $0 == "(" }).count == 1 else { return false }
            return isFragment(String(trimmed.dropFirst(4).dropLast()))
        }
        return !lower.contains("javascript:") && !lower.contains("expression(") && !value.contains("\\")
    }

    static func isFragment(_ value: String) -> Bool {
        value.count > 1 && value.count <= 128 && value.hasPrefix("#") && value.dropFirst().allSatisfy {
            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".")
        }
    }

    // MARK: - Reading

    struct Failure: Error {
        let message: String
    }

    /// A strict reader for the subset of XML that drawing programs export.
    struct Reader {
        let input: [Unicode.Scalar]
        var index = 0
        var count = 0

        init(_ input: [Unicode.Scalar]) { self.input = input }

        var atEnd: Bool { index >= input.count }

        func peek(_ text: String) -> Bool {
            var at = index
            for scalar in text.unicodeScalars {
                guard at < input.count, input[at] == scalar else { return false }
                at += 1
            }
            return true
        }

        mutating func skipWhitespace() {
            while !atEnd, input[index].properties.isWhitespace { index += 1 }
        }

        /// Skips `<?…?>` declarations and comments between nodes.
        mutating func skipMisc() throws {
            while true {
                skipWhitespace()
                if peek("<?") { try skip(past: "?>") } else if peek("<!--") { try skip(past: "-->") } else { return }
            }
        }

        mutating func skip(past end: String) throws {
            while !atEnd {
                if peek(end) { index += end.unicodeScalars.count; return }
                index += 1
            }
            throw Failure(message: "unterminated \(end)")
        }

        /// The root element, sanitised; nil when the text does not start with an element.
        mutating func document() throws -> Node? {
            if !atEnd, input[index] == "\u{FEFF}" { index += 1 }
            try skipMisc()
            guard peek("<"), !peek("</"), !peek("<!") else { return nil }
            let root = try element(depth: 0, keep: true, keepText: false)
            try skipMisc()
            guard atEnd else { throw Failure(message: "content after the root element") }
            return root
        }

        mutating func name() throws -> String {
            let start = index
            while !atEnd {
                let scalar = input[index]
                guard scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || [":", "-", "_", "."].contains(scalar) else { break }
                index += 1
            }
            guard index > start else { throw Failure(message: "a name was expected") }
            return String(String.UnicodeScalarView(input[start..<index]))
        }

        /// Reads one element at `<`; returns it sanitised, or nil when it (and so its subtree) is dropped.
        mutating func element(depth: Int, keep: Bool, keepText: Bool) throws -> Node? {
            guard depth < SVGSanitizer.maximumDepth else { throw Failure(message: "nested too deeply") }
            count += 1
            guard count <= SVGSanitizer.maximumElements else { throw Failure(message: "too many elements") }
            index += 1 // <
            let tag = try name()
            // Namespaced elements (svg:path) are not kept: exporters that use them are rare and they hide intent.
            let kept = keep && SVGSanitizer.elements.contains(tag)
            var attributes: [(String, String)] = []
            var seen: Set<String> = []
            while true {
                let before = index
                skipWhitespace()
                if peek("/>") {
                    index += 2
                    return kept ? .element(name: tag, attributes: attributes, children: []) : nil
                }
                if peek(">") {
                    index += 1
                    break
                }
                guard index > before else { throw Failure(message: "space expected between attributes") }
                let attribute = try name()
                skipWhitespace()
                guard peek("=") else { throw Failure(message: "attribute \(attribute) has no value") }
                index += 1
                skipWhitespace()
                guard !atEnd, input[index] == "\"" || input[index] == "'" else { throw Failure(message: "attribute values must be quoted") }
                let quote = input[index]
                index += 1
                let value = try text(until: quote, inAttribute: true)
                index += 1
                guard seen.insert(attribute).inserted else { throw Failure(message: "attribute \(attribute) appears twice") }
                let key = attribute == "xlink:href" ? "href" : attribute
                if kept, SVGSanitizer.attributes.contains(key) || (key == "href" && tag == "use"),
                   SVGSanitizer.allowedValue(key, value), !attributes.contains(where: { $0.0 == key }) {
                    attributes.append((key, value))
                }
            }
            let keepsText = kept && (SVGSanitizer.textElements.contains(tag) || keepText)
            var children: [Node] = []
            while true {
                guard !atEnd else { throw Failure(message: "<\(tag)> is not closed") }
                if peek("</") {
                    index += 2
                    let closing = try name()
                    skipWhitespace()
                    guard closing == tag, peek(">") else { throw Failure(message: "</\(closing)> does not close <\(tag)>") }
                    index += 1
                    return kept ? .element(name: tag, attributes: attributes, children: children) : nil
                }
                if peek("<!--") { try skip(past: "-->"); continue }
                if peek("<?") { try skip(past: "?>"); continue }
                if peek("<!") { throw Failure(message: "declarations are not accepted") }
                if peek("<") {
                    if let child = try element(depth: depth + 1, keep: kept, keepText: keepsText) { children.append(child) }
                    continue
                }
                let content = try text(until: "<", inAttribute: false)
                if keepsText, !content.isEmpty { children.append(.text(content)) }
            }
        }

        /// Character data up to (not including) `end`, with the five predefined entities and character references decoded.
        mutating func text(until end: Unicode.Scalar, inAttribute: Bool) throws -> String {
            var out = String.UnicodeScalarView()
            while true {
                guard !atEnd else { throw Failure(message: inAttribute ? "an attribute value is not closed" : "unexpected end") }
                let scalar = input[index]
                if scalar == end { return String(out) }
                if inAttribute, scalar == "<" { throw Failure(message: "< inside an attribute value") }
                if scalar == "&" {
                    guard let semicolon = input[index...].prefix(12).firstIndex(of: ";") else { throw Failure(message: "a bare &") }
                    let entity = String(String.UnicodeScalarView(input[(index + 1)..<semicolon]))
                    let decoded: Unicode.Scalar?
                    switch entity {
                    case "amp": decoded = "&"
                    case "lt": decoded = "<"
                    case "gt": decoded = ">"
                    case "quot": decoded = "\""
                    case "apos": decoded = "'"
                    default:
                        if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                            decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                        } else if entity.hasPrefix("#") {
                            decoded = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init)
                        } else {
                            throw Failure(message: "entity &\(entity); is not accepted")
                        }
                    }
                    guard let decoded, decoded.value >= 0x20 || [0x09, 0x0A, 0x0D].contains(decoded.value) else {
                        throw Failure(message: "a character reference is not allowed")
                    }
                    out.append(decoded)
                    index = semicolon + 1
                    continue
                }
                out.append(scalar)
                index += 1
            }
        }
    }
}
