/// The partner's own tracking values on a click: `sub` and `sub1`…`sub5` from the `/r/{code}` query.
public struct SubIDs: Sendable, Equatable, Hashable {
    /// Longest stored value, in characters; longer ones are cut so a hostile URL cannot bloat the click log.
    public static let maxLength = 128

    /// `sub`, the single id most partners use.
    public var sub: String?
    /// `sub1`…`sub5`; index 0 is `sub1`.
    public var subs: [String?]

    public init(sub: String? = nil, subs: [String?] = []) {
        self.sub = sub
        self.subs = (subs + Array(repeating: nil, count: 5)).prefix(5).map { $0 }
    }

    /// Whether no sub id is set.
    public var isEmpty: Bool { sub == nil && subs.allSatisfy { $0 == nil } }

    /// Reads the sub ids from decoded query parameters. The first occurrence of a name wins (later ones are
    /// usually appended by redirectors). Control characters are removed, then whitespace trimmed; a value
    /// empty after that is absent. Unknown names and `sub6`+ are ignored.
    public static func parse(query: [(name: String, value: String)]) -> SubIDs {
        var result = SubIDs()
        var seen = Set<String>()
        for (name, value) in query {
            guard let slot = slot(for: name), seen.insert(name).inserted else { continue }
            let cleaned = clean(value)
            if slot == 0 { result.sub = cleaned } else { result.subs[slot - 1] = cleaned }
        }
        return result
    }

    /// 0 for `sub`, 1…5 for `sub1`…`sub5`, nil otherwise. Names are matched exactly: query names are
    /// case-sensitive and partners' templates use lower case.
    private static func slot(for name: String) -> Int? {
        if name == "sub" { return 0 }
        guard name.count == 4, name.hasPrefix("sub"), let digit = name.last?.wholeNumberValue,
              (1...5).contains(digit), name.last?.isASCII == true else { return nil }
        return digit
    }

    /// Strips C0/C1 controls and other invisible format characters (bidi overrides), trims whitespace and
    /// cuts to `maxLength` characters.
    static func clean(_ value: String) -> String? {
        let kept = value.unicodeScalars.filter { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: return false
            default: return true
            }
        }
        var text = String(String.UnicodeScalarView(kept))
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        if text.count > maxLength { text = String(text.prefix(maxLength)) }
        // Trim again: the cut may end on a space.
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text.isEmpty ? nil : text
    }
}
