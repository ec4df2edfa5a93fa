import Testing
@testable import PortalCore

/// Colour contrast, image sniffing and the customise form's rules.
@Suite struct PortalBrandingTests {
    @Test func contrastRatiosMatchWCAG() throws {
        let black = try #require(RGBColor(hex: "#000"))
        #expect(abs(RGBColor.contrast(black, .white) - 21) < 0.001)
        #expect(abs(RGBColor.contrast(.white, .white) - 1) < 0.001)
        // #767676 is the lightest grey passing 4.5:1 on white; #777777 fails it.
        #expect(RGBColor.contrast(try #require(RGBColor(hex: "#767676")), .white) >= 4.5)
        #expect(RGBColor.contrast(try #require(RGBColor(hex: "#777777")), .white) < 4.5)
        #expect(ContrastRule.describe(4.4999) == "4.49:1")
        #expect(RGBColor(hex: "4F46E5")?.hex == "#4f46e5")
        for bad in ["", "#12345", "#1234567", "#ggg000", "red", "#12 456"] { #expect(RGBColor(hex: bad) == nil, "\(bad)") }
        #expect(PortalBranding.contrastProblems(brand: try #require(RGBColor(hex: "#4f46e5")), ink: .white).isEmpty)
        let yellow = PortalBranding.contrastProblems(brand: try #require(RGBColor(hex: "#ffdd00")), ink: .white)
        #expect(yellow.count == 2)
        #expect(yellow[0].contains("Text in #ffffff on #ffdd00"))
    }

    @Test func imagesAreRecognisedFromTheirBytes() {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 44, 0, 0, 0, 90]
        #expect(ImageInfo.read(png) == ImageInfo(format: .png, width: 300, height: 90))
        png[12] = 0x58
        #expect(ImageInfo.read(png) == nil)
        #expect(ImageInfo.read(Array("GIF89a".utf8) + [0x64, 0, 0x28, 0]) == ImageInfo(format: .gif, width: 100, height: 40))
        // JPEG: SOI, an APP0 segment, then SOF0 with height 50 and width 200.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 50, 0, 200, 3, 1, 0x22, 0]
        #expect(ImageInfo.read(jpeg) == ImageInfo(format: .jpeg, width: 200, height: 50))
        let webp: [UInt8] = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8X".utf8) + [10, 0, 0, 0, 0, 0, 0, 0] + [0x2B, 0x01, 0x00, 0x95, 0x00, 0x00]
        #expect(ImageInfo.read(webp) == ImageInfo(format: .webp, width: 300, height: 150))
        #expect(ImageInfo.read(Array("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8)) == nil)
        #expect(ImageInfo.read([0xFF, 0xD8, 0xFF]) == nil)
        #expect(ImageInfo.read([]) == nil)
        // A zero-sized image is not an image.
        #expect(ImageInfo.read(Array("GIF89a".utf8) + [0, 0, 0x28, 0]) == nil)
    }

    @Test func logosAreCheckedForTypeSizeAndDimensions() {
        #expect((try? LogoUpload.check(Array("GIF89a".utf8) + [0x64, 0, 0x28, 0]).get()) == ImageInfo(format: .gif, width: 100, height: 40))
        guard case .failure(let svg) = LogoUpload.check(Array("<?xml version='1.0'?><svg/>".utf8)) else { Issue.record("svg"); return }
        #expect(svg.fields["logo"]?.first?.hasPrefix("SVG logos are not accepted") == true)
        guard case .failure(let tiny) = LogoUpload.check(Array("GIF89a".utf8) + [8, 0, 8, 0]) else { Issue.record("tiny"); return }
        #expect(tiny.fields["logo"]?.first?.contains("8×8") == true)
        guard case .failure(let big) = LogoUpload.check(Array("GIF89a".utf8) + [0x64, 0, 0x28, 0] + Array(repeating: 0, count: LogoUpload.maximumBytes)) else {
            Issue.record("big"); return
        }
        #expect(big.fields["logo"] == ["The logo is larger than 512 KB."])
    }

    static let form: [String: String] = [
        "brand_color": "#0f766e", "brand_ink": "#ffffff", "font": "serif", "api_access": "read",
        "show_earnings": "1", "position_earnings": "1", "show_welcome": "1", "position_welcome": "2", "show_best_links": "1",
        "nav__portal_links": "My links", "nav__portal_tax": "Tax", "welcome_markdown": "Hi **there**\r\n", "reporting_enabled": "1",
    ]

    @Test func theFormOrdersComponentsAndKeepsOnlyRealLabels() throws {
        let branding = try PortalBranding.parse(Self.form, current: .standard).get()
        // Ticked components by position; best links had no position and keeps its standard place (6).
        #expect(branding.components == [.earnings, .welcome, .bestLinks])
        #expect(branding.navigationLabels == ["/portal/links": "My links"])
        #expect(branding.welcomeMarkdown == "Hi **there**")
        #expect(branding.font == .serif && branding.apiAccess == .read && branding.reportingEnabled && !branding.messagingEnabled)
        #expect(!branding.offers(path: "/portal/messages/3") && !branding.offers(path: "/portal/resources") && branding.offers(path: "/portal/analytics"))
        #expect(branding.offers(path: "/portal/messagesx") && branding.offers(path: "/portal/api"))
        #expect(branding.changes(from: .standard).contains("brand colour: #4f46e5 → #0f766e"))
        var low = Self.form
        low["brand_color"] = "#ffdd00"
        low["position_earnings"] = "0"
        guard case .failure(let errors) = PortalBranding.parse(low, current: .standard) else { Issue.record("accepted"); return }
        #expect(errors.fields["brand_color"]?.count == 2 && errors.fields["components"] != nil)
    }
}
