/// Entity tags (RFC 9110 §8.8.3): how a file's `ETag` is made and how `If-None-Match` and `If-Range`
/// compare against it.
enum EntityTag {
    /// A strong tag from the file's size and modification time in nanoseconds: it changes whenever the file
    /// is rewritten, yet needs no hashing of the content. `variant` tells representations of the same file
    /// apart (the gzip sibling), as RFC 9110 requires different tags for different content.
    static func make(size: Int64, modificationNanoseconds: Int64, variant: String? = nil) -> String {
        let base = "\(String(size, radix: 16))-\(String(modificationNanoseconds, radix: 16))"
        return "\"\(base)\(variant.map { "-\($0)" } ?? "")\""
    }

    /// One member of an `If-None-Match` list.
    enum Condition: Equatable {
        case any
        case tag(weak: Bool, opaque: Substring)
    }

    /// The members of `If-None-Match` values. Tags are read quote to quote, because an entity tag may itself
    /// contain commas; whatever does not parse is skipped.
    static func conditions(_ headerValues: [String]) -> [Condition] {
        var result: [Condition] = []
        for value in headerValues {
            var rest = Substring(value)
            while true {
                while let first = rest.first, first == " " || first == "\t" || first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { break }
                if rest.first == "*" {
                    result.append(.any)
                    rest = rest.dropFirst()
                    continue
                }
                guard let tag = parseTag(&rest) else {
                    // Skip to the next member.
                    if let comma = rest.firstIndex(of: ",") { rest = rest[comma...] } else { rest = "" }
                    continue
                }
                result.append(tag)
            }
        }
        return result
    }

    /// Whether `current` matches an `If-None-Match` header, using weak comparison (RFC 9110 §13.1.2).
    static func noneMatchHits(_ headerValues: [String], current: String) -> Bool {
        var currentText = Substring(current)
        guard case .tag(_, let currentOpaque)? = parseTag(&currentText) else { return false }
        return conditions(headerValues).contains { condition in
            switch condition {
            case .any: true
            case .tag(_, let opaque): opaque == currentOpaque
            }
        }
    }

    /// Strong comparison for `If-Range` (RFC 9110 §13.1.5): both tags strong and identical.
    static func strongMatch(_ header: String, current: String) -> Bool {
        var text = Substring(header.trimmingCharacters())
        var currentText = Substring(current)
        guard case .tag(let weak, let opaque)? = parseTag(&text), text.isEmpty, !weak,
              case .tag(let currentWeak, let currentOpaque)? = parseTag(&currentText), !currentWeak else { return false }
        return opaque == currentOpaque
    }

    /// Reads `[W/]"opaque"` from the front of `text`.
    static func parseTag(_ text: inout Substring) -> Condition? {
        var rest = text
        var weak = false
        if rest.hasPrefix("W/") {
            weak = true
            rest = rest.dropFirst(2)
        }
        guard rest.first == "\"" else { return nil }
        rest = rest.dropFirst()
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        let opaque = rest[..<close]
        text = rest[rest.index(after: close)...]
        return .tag(weak: weak, opaque: opaque)
    }
}

private extension String {
    func trimmingCharacters() -> Substring { Substring(self).trimmingWhitespace() }
}
