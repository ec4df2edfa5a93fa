import Testing
@testable import PortalCore

@Suite struct MarkupEscapingTests {
    /// The plain definition: each of the five characters becomes its entity, everything else stays.
    static func reference(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    @Test func escapesTheFiveCharactersAndKeepsEverythingElse() {
        #expect(MarkupEscaping.escape("") == "")
        #expect(MarkupEscaping.escape("1,234.56") == "1,234.56")
        #expect(MarkupEscaping.escape(#"<a href="x" title='y'>Tom & Jerry</a>"#)
                == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;")
        #expect(MarkupEscaping.escape("Zoë <3 東京 🇩🇪") == "Zoë &lt;3 東京 🇩🇪")
    }

    @Test func agreesWithTheReferenceOnRandomText() {
        var random = SplitMix(seed: 7)
        let alphabet = Array("ab&<>\"' é東🇩🇪\u{301}-0")
        for _ in 0..<1_000 {
            let text = String((0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            #expect(MarkupEscaping.escape(text) == Self.reference(text))
        }
    }
}

/// `YYYY-MM-DD` exactly, real calendar days only.
@Suite struct CivilDateParsingTests {
    @Test func readsRealDaysAndRefusesEverythingElse() {
        #expect(CivilDate.parse("1970-01-01") == 0)
        #expect(CivilDate.parse("2026-11-25") == 20_782)
        #expect(CivilDate.parse("2024-02-29") == CivilDate.days(year: 2024, month: 2, day: 29))
        for bad in ["", "2026-11-5", "2026-1-25", "26-11-25", "2026/11/25", "2026-13-01", "2026-00-10", "2026-02-30", "2025-02-29",
                    "2026-11-00", "２０２６-11-25", "2026-11-25 ", " 2026-11-25", "2026-1a-25", "+026-11-25"] {
            #expect(CivilDate.parse(bad) == nil, "\(bad)")
        }
        // Every day of a few years round-trips.
        for day in Int64(19_000)...Int64(20_500) {
            #expect(CivilDate.parse(CivilDate.format(days: day)) == day)
        }
    }
}
