import Testing
@testable import PortalCore

/// The QR encoder against `qrencode -l M -8 -m 0 -t ASCII` (libqrencode 4.1), whose output is embedded below
/// (`X` dark, `.` light) so the tests need no qrencode; plus Reed–Solomon and format/version bit vectors.
struct QRCodeTests {
    /// (text, expected matrix, version), generated once with qrencode.
    static let references: [(text: String, matrix: String, version: Int)] = [
        ("https://x.io/r/ab", """
            XXXXXXX.X.XXX.XXX.XXXXXXX
            X.....X...XXXXX...X.....X
            X.XXX.X.XXXXX.X.X.X.XXX.X
            X.XXX.X..X..X.X...X.XXX.X
            X.XXX.X...XX.XX...X.XXX.X
            X.....X.X.XXX...X.X.....X
            XXXXXXX.X.X.X.X.X.XXXXXXX
            ...........X..X..........
            X.X...XX..X..XXXX..X..X.X
            X.X..X..X....XXXX.X..X.XX
            X.XX..X..X.XX..X...XXXX.X
            .XXX....XX...X.XX.X.XX...
            XX.X..XXXX..XX..X.X.....X
            ..X.X..X....X..X..XX...XX
            XXXXXXXXXX..XXXXXX...XX.X
            ..XX.X.X.XXXX.XX.X.XXX...
            XX..X.XX.XX..XXXXXXXX..X.
            ........X.X..XXXX...X...X
            XXXXXXX.X.XX....X.X.X...X
            X.....X..X...X.XX...X..X.
            X.XXX.X..XXXXX.XXXXXX..XX
            X.XXX.X..X..X..XXX..X.XX.
            X.XXX.X.X...XXX..X.XXX.XX
            X.....X..XXXX.X.XXXXX....
            XXXXXXX.X....XXXX....X..X
            """, 2),
        ("http://127.0.0.1:8080/r/demo", """
            XXXXXXX...X.XX..X..X..XXXXXXX
            X.....X.X.XX..XXX..XX.X.....X
            X.XXX.X......XX.X.XX..X.XXX.X
            X.XXX.X...XXXXXX......X.XXX.X
            X.XXX.X.XXX...X..XXXX.X.XXX.X
            X.....X...X..X....XX..X.....X
            XXXXXXX.X.X.X.X.X.X.X.XXXXXXX
            .........XX.XXX.XXXX.........
            X.X.X.X..X....XX.X......X..X.
            X.X.X..X.XX.X.XX.X...XXX.X..X
            ...XXXXX.X.X.X......XX..X.XXX
            X......X.X.X...X.X.X.XXX.X.X.
            XXXX..XXXXX.....XX.X..XX.X.XX
            X....X....XXXX.XXX....XX.XX.X
            ...X..XXX.XX..XXX...X.X....XX
            XXX.X..XXXX.XXX.XXXX.X..XX.X.
            X.XX..X.XX.X..XX.X....X....XX
            .X.XXX.X.X.X..XX.....XXX..X.X
            X...X.XXXXXXXX......XX.X.X.XX
            .XXX.X.....XX..X.XXX.XX..X.X.
            X..XXXX...XXX...XX.XXXXXX....
            ........X.XX.X.XX...X...X.XXX
            XXXXXXX..X.XX.XXXX.XX.X.XX.XX
            X.....X..XXX.XX.XXXXX...XX.X.
            X.XXX.X.X...X.XX..X.XXXXXX.X.
            X.XXX.X..XX.X.XX...XXX..XX...
            X.XXX.X.XX..XXX..X...X..XXX.X
            X.....X..X...XXX....XX.XXX.X.
            XXXXXXX.XX...X..X...XXX.XX.XX
            """, 3),
        ("https://partners.acme-analytics.example.com/r/spring-launch-2026?utm_source=newsletter&utm_medium=email&utm_campaign=spring&x=0123456789abcdefghij", """
            XXXXXXX...X..XXX...XX....X.XXXXX.X.X....X.XXXXXXX
            X.....X....X..X.....XXXX..X.....X.X.XXXXX.X.....X
            X.XXX.X.X.X....XX.X..X..XX.XXX.XXX.....XX.X.XXX.X
            X.XXX.X.XXX...XX.XXX..X.X..X.XX...XXXX.X..X.XXX.X
            X.XXX.X.X.X..X..X.X..XXXXXXX.XXX.X.X.X....X.XXX.X
            X.....X.XXX..X.....X..X...X.X..XXXXX.XX...X.....X
            XXXXXXX.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.XXXXXXX
            ........X.XXXXXXX.....X...X.XX..X.X....X.........
            X.XXXXX..X..X...X.X.XXXXXXX..XX..X.XX...X.XXXXX..
            .X...X.X..XXXX...X.X..X..X..X.X....XXX...XX.X.X..
            ...X..X..X.XXX...XXX..X...X.XX..XXXX.XXXX....XX.X
            .XX....XX.XXXXXXX.X....XXX..XX..X.XX........X..XX
            X.X.X.XX.X....XX.....XXXXX...XX....XX.X.X..X.XXXX
            XX.XXX..X......XXXXXX.XXXX...XXX..........X...XX.
            X.XX..XX............XXXX.XXXX..X.XX.X.X....XXXXXX
            .XX.XX..XXX..XXXXXXXX.XX.X.XX.XXX..X..X..X..XX..X
            XXX..XX.X.XX.X..X...XX.XX.X..XX..X..X...XX....X..
            ..X.X....XXXXXXXXX.X...X.X...XX..X.......XXX.....
            XXXX.XX.XXXX.X...X.....X.XX.....X.X.XXX.XX.XXX.XX
            ...XX........X.X..X......X.XX.X.X.XXX..X.XXXX..X.
            XX.XX.X.X..XXX.X....X.X.XXX..XXX.XXXX.XXXXX...XXX
            XX.XX..XX.XX.X.X..XX..XX.X...XXX...XXX...XXXX.X..
            XXX.XXXXXXXX...X.XXXX.XXXXXXX..X.XXX.XXXXXXXXXXXX
            X.X.X...XXXX...XXXX...X...X.X.X.XX.....XX...X..XX
            .XX.X.X.X........X.XXXX.X.XX...X....X.XXX.X.XXXX.
            .XXXX...XX.X.......X..X...XXX.XXX..X.X.XX...X....
            X..XXXXXXX.X.X.XXX.X..XXXXX..X....XXX.XXXXXXX..XX
            X.......XXXX..XX.X.XXXX.X.X.XXX.X..X.X...X......X
            XXX.X.X...XX..XXX.XX......X..XXX...XX.XXX..XX.XX.
            ...X....XX.X.XXX.....XXXXX.X.XXX...XXX..XXXX..X..
            XXXX.XX....XX...XXXX..XXXX..X..XXXXXXXXX.XX....XX
            X.X.XX...X..XXX..X...X....XXX.XXX..X.XX.X........
            X.XX.XX.X.X.XXX.XXXXXX...X..........XX.X.X..X.X.X
            XX.XX..X.....XX.X..X.XXXX..X.XXXXX.XX..XXX.X.....
            XXXX.XXXXX.X...X..XX.X..XX.....X..X.XXXXX.XXXX.XX
            X..XX..X.XXXX..X..XXX.XXX.XXXX.XXX...X..X......XX
            XX....X...X.XXXX....XX.XXX.....X...XX..XX.X.X.X..
            X.XX.X..XX.X.XXX...X.X.XXX...XXX....XX..X..X.X.X.
            .X...XX..XX.......X.X.XXXX.X....XXXXX.X.X.XXX.X.X
            .XXX.....X.XX.XXXX...X.X.XX.X.X.X.....X.X..XX..XX
            XXX...XXXX...X......X.XXXXXX..XX...XXX.XXXXXXXXXX
            ........XX..X..XXX.X.XX...XXX.X.X....X..X...X....
            XXXXXXX..XXX...XX..X..X.X.XX.X.XXXXX..X.X.X.X.XXX
            X.....X.XX.X.XXXXXX..XX...XXXX..X....X..X...X...X
            X.XXX.X.XX.XX.XX......XXXXX..XXX.X.XXX..XXXXX.X.X
            X.XXX.X.XX..XX.X.X.XX.XX..X..XXXX....X.XXXXXXX.XX
            X.XXX.X.XX.....X.XX.XX.XX..X.....XXX.XX...XX..X..
            X.....X..XXXX..X...XX..X.X.XX.XXX..X...XXXX.....X
            XXXXXXX.X...X..X.X..X...X.X..X...XX.X...XX....XXX
            """, 8),
        ("https://partners.acme-analytics.example.com/r/autumn_sale-2026?utm_source=partner-newsletter&utm_medium=email&utm_campaign=autumn-sale&utm_content=hero-banner&ref=ada-reviews&sub=0123456789abcdefghijklmnop", """
            XXXXXXX..X.XXXX.X.X...XXXX.X..XXX..XXX.XX.XX.XXX..XXXXXXX
            X.....X..XXX...XXX.XX...X.X.......XXX.XX...X.X.X..X.....X
            X.XXX.X.X..X...X..X....XXX.XXX..XX...XXXXXXXXXXX..X.XXX.X
            X.XXX.X.X....X.....X.....XX..XXX...XXX....XX.X.X..X.XXX.X
            X.XXX.X.XXX.....X.XXX.XXX.XXXXXX...X.X.X.XXX...X..X.XXX.X
            X.....X.X..XX..XX..X..X..XX...XXXXX.X.XXX..X..X...X.....X
            XXXXXXX.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.X.XXXXXXX
            ........XX.X..X.XX.XXXXX.XX...XXXXX..XXXXXXXXX..X........
            X.XXXXX..XX..XX..X....X...XXXXXX.X.XXXX...X..X....XXXXX..
            XX...X.X.X.X..XX.X...X.XX....XX.X..XXX...XXX...XXX.X..X.X
            XX.X.XXXX.XXX.X..X.X.X...X.X.X.X.XX.XXX....X.XX.X.X.XX...
            ..X.XX...XXXX.X.X..XX..X.X.X.X..X.X..XX.XXXXX.XXX..XXXXX.
            ..X..XXX.XX.X.XX.X...X.XX.X.XXXX.X.XXX.X...X.XXX.XX....XX
            .X.....XXX.X.XX.XXXX....X..XXXXX...X.X.XX.X.X..XXX.X.X..X
            ...XX.X..X.X.XXX.X..X.XXXX..XX....XXX.X..X.XX..XXXX....X.
            X.X.XX...X.X...X.X..X...X..XX.XXX.X..X.XX.X.X..XX...X.XX.
            ..X...XX..X...X.X..XX....X........XXXX.....X.X...XX....XX
            X...X..X..XX.X..XXX..XXXXXX..XXX.....X..XXXX...XX....XX.X
            .X.X.XX.X...XXXX.XX......X..X..X..X.XXXX.X.X.XXXXXXX.XXX.
            ...XX..XXXXX..X...X.X...XX.XXX.XX..X...XXX..X.XX.X..XXXX.
            XX.X.XX...X...XXX.X.X.XX.XX....X.X.XXXX..XXX...X.X...X..X
            ..X.XX.X..XXX.XX.XX....XXXX..XXXX....X....X....XXX.X....X
            XX..X.X...X...XX.XXX.XXXX.XXX....XXXX.XX.X.XX..X.XXX..XX.
            .XXX.....XX.....X.X..X.XXX..XX..X.XX.X.XX...XX.X.X..XXXX.
            XXXXX.XXX.X..X.....X.XX...X....X.XXXXX...XXX...X.X...X.XX
            X.XXXX.X.XX...X.X.X...XXXXXXXXX....X.....XX.XX..XX.XXX.XX
            X...XXXXX..XXXX..XXX...XXXXXXXXXXXXX..X.XX.XX.XXXXXXXX.X.
            X.XXX...XXXXX.X..XXXX.XX..X...X.XXX..X.XXXXXXX..X...XXXXX
            X.XXX.X.X.XXXXX.X.........X.X.X....XXX...XX....XX.X.XX.X.
            .XXXX...XXX..X.XX.X.X.X.X.X...X.X....X...XX....XX...XX..X
            ..XXXXXXX.X.X..X.X.X...XXXXXXXX..XXX.XX.X..X..XXXXXXX.XX.
            XX.XXX.XX.X.X.XX...XXXXXX.XX....XXX.....XXX.X.XX.XX..XXXX
            X..X.XX....X.X..X..XXXX.X.XXX.XX...XXX.X.X.X..X..X.XX..XX
            XXXX.X.X...XXXX.XXX...XX......XXX....X.XX.XXX....X...X...
            X.X..XX..X.XX.X.......X..XXX.XX...XXX.XX.X.XX.X......XXXX
            .XX..X..X.X.XX..X....X.X.X.XX...X......XX.X.X.XX..XX.XX..
            .XXXX.X.X..X...X.X...X.X.XXX..XX...XX.X..X.X....XX..XX...
            .XXX.X.X....X.X.X.X..X.XXX.X..XXX..XXX....XX...X.X...XX.X
            ...X.XX.X.XX.....XX....XX.XX.XX...XX..XX...XX...XX.X.X.X.
            ...X.X.XXX........XXXXXX...X....X.X..X.XX.X.X.XX..X..XX.X
            ..X..XXX.X...XXXX.....XX....XXXX....X......X..X...XXXX.X.
            XXX..X.X.XXX.XX.XXXX.X.XX..X.XXX....XX....XX......X..XX.X
            X..XXXX..XX..X.....XXX.XXXXXXXX.X..X..XXXX...XX.X...X.XX.
            ..XX.X.XX..XXXX.X..XX.X.X.......X.XXXXX.XXX.XX.XX.X.XXXX.
            X.XXXXX..X.X..X..XX.X.X...XXXX.X.XXXXX.X.XXX.XX..X..XX.X.
            XX...X...X.XX......XX...X.X..X.XX..XXX.X.XX..X.X......XXX
            X.X..XXX..X........X..X..XX..XX.XXXX..X....X..XX.X.X...X.
            XXXXX..XX..XXX....X.X.X.XXXX.X.XXXX..X..XX.XXX.XXXX...XX.
            ......XX.X.X..X.XXXXXX...XXXXXXX.XXXX..X.....XX.XXXXX..X.
            ........X.X..XXXXXXX...XX.X...XX...XXX...XXXX...X...XXX.X
            XXXXXXX..XX.X.....X.XXX.XXX.X.XX.XX.X.X.XX....XXX.X.XXXX.
            X.....X.XX...XXXX..X..XX..X...X.X.....X.X...XX..X...XXXXX
            X.XXX.X.X..X.X.XX.X....XXXXXXXXX.X.XXX.X..XX..X.XXXXXX...
            X.XXX.X.X..XX..XXXXX.X..X.X.XXXXX..XXX.X..XXX..X...XX.X..
            X.XXX.X.X.X......XXX...XX....XXXXXXXX.XX.X...XXXX.XX.X...
            X.....X..X...XX.XXX..X..XX...XX.XX...XXXXX..X.X.....XXX..
            XXXXXXX.XXX.X.XX...XXX.....X.X.X.XX.XXX....X..XXX.XX...X.
            """, 10),
    ]

    static func matrix(_ code: QRCode) -> String {
        code.modules.map { row in String(row.map { $0 ? "X" : "." }) }.joined(separator: "\n")
    }

    @Test(arguments: 0..<4) func matchesQrencode(_ index: Int) throws {
        let reference = Self.references[index]
        let code = try QRCode(reference.text)
        #expect(code.version == reference.version)
        #expect(code.size == 17 + 4 * reference.version)
        #expect(Self.matrix(code) == reference.matrix)
    }

    @Test func reedSolomonKnownVector() {
        // "HELLO WORLD" as version 1-M alphanumeric data (the worked example of thonky.com's QR tutorial).
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.remainder(data, degree: 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
        // A generator of degree 2 is (x − α⁰)(x − α¹) = x² + 3x + 2.
        #expect(ReedSolomon.generator(degree: 2) == [3, 2])
        #expect(ReedSolomon.multiply(0x80, 0x02) == 0x1D)
    }

    @Test func formatAndVersionBits() throws {
        // ISO/IEC 18004 Table C.1, level M.
        let expected = [0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
                        0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000]
        for mask in 0..<8 { #expect(QRCode.formatBits(mask: mask) == expected[mask], "mask \(mask)") }
        // Table D.1.
        #expect(QRCode.versionBits(7) == 0b000111110010010100)
        #expect(QRCode.versionBits(10) == 0b001010010011010011)
        // The format bits around the top-left finder of a known case: "https://x.io/r/ab" takes mask `code.mask`.
        let code = try QRCode(Self.references[0].text)
        let bits = QRCode.formatBits(mask: code.mask)
        let read = (0...5).map { code.modules[$0][8] } + [code.modules[7][8], code.modules[8][8], code.modules[8][7]]
            + (9..<15).map { code.modules[8][14 - $0] }
        for (i, dark) in read.enumerated() { #expect(dark == ((bits >> i) & 1 == 1), "format bit \(i)") }
    }

    @Test func tooLongThrows() throws {
        #expect(throws: QRCode.Failure.tooLong(bytes: 214, maximum: 213)) { try QRCode(String(repeating: "a", count: 214)) }
        #expect(try QRCode(String(repeating: "a", count: 213)).version == 10)
    }

    @Test func svgIsOnePathWithAnEscapedTitle() throws {
        let svg = try QRCode("https://x.io/r/a&b<c>").svg(moduleSize: 4, quietZone: 4)
        #expect(svg.hasPrefix("<svg "))
        #expect(svg.contains(#"role="img""#))
        #expect(svg.contains(#"shape-rendering="crispEdges""#))
        #expect(svg.contains("<title>https://x.io/r/a&amp;b&lt;c&gt;</title>"))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.contains(#"d="M4 4h7v1h-7z"#))  // the finder's top edge after the quiet zone
        #expect(svg.contains(#"viewBox="0 0 33 33""#))
    }
}
