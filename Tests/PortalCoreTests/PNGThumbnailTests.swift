import Foundation
import Testing
@testable import PortalCore

/// The PNG thumbnailer: decoding every colour type and row filter (against PNGs made independently in Python),
/// the box filter, the encoder round trip, and what it refuses.
@Suite struct PNGThumbnailTests {
    /// (colour type, a 4×5 PNG whose five rows use filters None, Sub, Up, Average and Paeth, split over two IDAT
    /// chunks; its pixels as RGBA hex). Palette fixtures carry tRNS alpha for two entries.
    static let fixtures: [(Int, String, String)] = [
        (0, "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAFCAAAAABHxhIHAAAAEUlEQVR4nGNY6ntKglGVuzuJyeNx4Q1IBTQAAAARSURBVEHmBetDmliYfx9xAQBvWwmES78C9wAAAABJRU5ErkJggg==",
         "a5a5a5ff4d4d4dffcacacaff181818ff252525ff303030ffbbbbbbff1d1d1dff6d6d6dff131313ff2c2c2cffdededeffd6d6d6ff232323ff7b7b7bff2e2e2effd9d9d9ff1e1e1eff3f3f3fff727272ff"),
        (2, "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAFCAIAAADtz9qMAAAAJklEQVR4nAFBAL7/AB/LGXEXRJTWSTydXAE0YL79wGA43rw38A4ChTnBK9J5bLUAAAAmSURBVFwLMP/VRaU9A+CKFWOkvDNvU8JbjQTCE88xPfjy0nfD4xKCmR1SleJpGgAAAABJRU5ErkJggg==",
         "1fcb19ff711744ff94d649ff3c9d5cff3460beff31201eff69fedaffa0eee8ffb9997fff5c7c29ff99fdafffe59325ff3cd654ffaf4dfaffd71427ffa0aeb3fffee923ff2f8af2ff211f9effe491c5ff"),
        (3, "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAFCAMAAABVc73pAAAAElBMVEWxC+y1Vjv8Hm+TQn7LyP4pVeV24trFAAAAAnRSTlMAgJsrThgAAAAQSURBVHicBcGBDQAgDMOwdBn/PwxhoqCXAAAAEElEQVQVNu4kpg61wmPh3A8yoAUXlVKkGgAAAABJRU5ErkJggg==",
         "93427effcbc8fefffc1e6fffb5563b8093427effcbc8fefffc1e6fff2955e5ff93427efffc1e6fff2955e5ff93427effb5563b80b5563b80b10bec00b5563b80b5563b80b5563b802955e5ffb5563b80"),
        (4, "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAFCAQAAADIpIVQAAAAHElEQVR4nAEtANL/AAb4XYaQAkrWAb2jg3ipreIEAgySszwEugAAABxJREFUtrI2mVeeA305TR7vreL+BFJn2mpdnOLBw7cVNYr+xXwAAAAASUVORK5CYII=",
         "060606f85d5d5d86909090024a4a4ad6bdbdbda34040401be9e9e9c8cbcbcbccc9c9c935f6f6f6cd1f1f1f612222226ae1e1e153383838ae1a1a1a340000004d333333ba0d0d0d246a6a6ac04c4c4c81"),
        (6, "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAFCAYAAABirU3bAAAAMElEQVR4nAFVAKr/ALG68j47+e71958rSTSvh/UBUgtpufkCL3U6rr2I7e0drQIowgutsaldBazKAAAAMElEQVR24Ao2L60+PEBXA+wK+kFe0YsnOFZdS1jL87EEy+uqNjhvDyP/7WJ04/yXCQmQKVOviplvAAAAAElFTkSuQmCC",
         "b1baf23e3bf9eef5f79f2b4934af87f5520b69b94b0d982e85bb55b672a872637acd7466fcb60e0e8ff18463b0e4b2ba29703474f064ac68f700f5b02b3dc666f45bdeaa2ccaedcd2b5157410e4dee4a")
    ]

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func decodesEveryColourTypeAndFilter() throws {
        for (colorType, base64, expected) in Self.fixtures {
            let png = try #require(Data(base64Encoded: base64))
            let pixels = try #require(PNGThumbnail.decode(Array(png)), "colour type \(colorType)")
            #expect(pixels.width == 4 && pixels.height == 5)
            #expect(Self.hex(pixels.rgba) == expected, "colour type \(colorType)")
        }
    }

    @Test func encoderRoundTripsWithEveryFilter() throws {
        var rgba: [UInt8] = []
        for index in 0..<(7 * 6) { rgba += [UInt8(index * 37 % 256), UInt8(index * 11 % 256), UInt8(255 - index), index % 5 == 0 ? 0 : 200] }
        let pixels = PNGThumbnail.Pixels(width: 7, height: 6, rgba: rgba)
        for filters in [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]] as [[UInt8]] {
            let png = PNGThumbnail.encode(pixels, filters: filters)
            #expect(ImageInfo.read(png) == ImageInfo(format: .png, width: 7, height: 6))
            #expect(PNGThumbnail.decode(png) == pixels, "filters \(filters)")
        }
        // Opaque images are written as RGB (colour type 2) and read back the same.
        let opaque = PNGThumbnail.Pixels(width: 2, height: 1, rgba: [1, 2, 3, 255, 4, 5, 6, 255])
        let png = PNGThumbnail.encode(opaque)
        #expect(png[25] == 2 && PNGThumbnail.decode(png) == opaque)
    }

    @Test func boxFilterAveragesWeightedByAlpha() {
        // 4×2 → 2×1: each target pixel averages a 2×2 block.
        let pixels = PNGThumbnail.Pixels(width: 4, height: 2, rgba: [
            0, 0, 0, 255, 100, 100, 100, 255, 255, 0, 0, 255, 0, 0, 0, 0,
            200, 200, 200, 255, 100, 100, 100, 255, 255, 0, 0, 255, 0, 0, 0, 0,
        ])
        let small = PNGThumbnail.resize(pixels, width: 2, height: 1)
        // Left: mean of 0, 100, 200, 100. Right: two opaque red and two fully transparent black → red at half alpha.
        #expect(small.rgba == [100, 100, 100, 255, 255, 0, 0, 128])
    }

    @Test func scalesWideImagesAndRefusesWhatItCannotRead() throws {
        var rgba: [UInt8] = []
        for y in 0..<90 { for x in 0..<728 { rgba += [UInt8(x * 255 / 727), UInt8(y), 128, 255] } }
        let banner = PNGThumbnail.encode(PNGThumbnail.Pixels(width: 728, height: 90, rgba: rgba))
        let thumbnail = try #require(PNGThumbnail.scaled(banner, toWidth: 320))
        #expect(thumbnail.width == 320 && thumbnail.height == 40)
        #expect(ImageInfo.read(thumbnail.data) == ImageInfo(format: .png, width: 320, height: 40))
        let decoded = try #require(PNGThumbnail.decode(thumbnail.data))
        #expect(decoded.rgba[0] < 5 && decoded.rgba[(319) * 4] > 250) // the gradient survives
        #expect(PNGThumbnail.scaled(banner, toWidth: 728) == nil) // not wider: no variant
        // Through the upload check: a real PNG gets both variants.
        let checked = try ResourceUpload.check(banner, fileName: "banner.png").get()
        let variants = ResourceUpload.variants(of: checked)
        #expect(variants.map(\.variant) == [.thumbnail, .mobile] && variants.map { $0.width ?? 0 } == [320, 640])
        #expect(variants.map { $0.height ?? 0 } == [40, 79] && variants.allSatisfy { $0.contentType == "image/png" })

        // Interlaced, 16-bit, truncated and corrupt data: nil, never a crash.
        var interlaced = banner
        interlaced[28] = 1
        #expect(PNGThumbnail.decode(interlaced) == nil)
        var sixteen = banner
        sixteen[24] = 16
        #expect(PNGThumbnail.decode(sixteen) == nil)
        #expect(PNGThumbnail.decode(Array(banner.prefix(banner.count / 2))) == nil)
        var corrupt = banner
        corrupt[60] ^= 0xFF
        _ = PNGThumbnail.decode(corrupt)
        #expect(PNGThumbnail.decode(ResourceUploadTests.pngHeader(width: 100_000, height: 100_000)) == nil)
        #expect(PNGThumbnail.decode([0x89, 0x50, 0x4E, 0x47]) == nil)
    }

    @Test func mutatedInputNeverCrashes() throws {
        var generator = SystemRandomNumberGenerator()
        let seeds = try Self.fixtures.map { try #require(Data(base64Encoded: $0.1)).map { $0 } }
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0...(round % 4) {
                let at = Int.random(in: 8..<bytes.count, using: &generator)
                bytes[at] = UInt8.random(in: 0...255, using: &generator)
            }
            if round % 7 == 0 { bytes = Array(bytes.prefix(Int.random(in: 8..<bytes.count, using: &generator))) }
            _ = PNGThumbnail.decode(bytes)
        }
        // The largest header values: refused, not overflowed.
        #expect(PNGThumbnail.decode(ResourceUploadTests.pngHeader(width: Int(UInt32.max), height: Int(UInt32.max))) == nil)
        let svg = Array(#"<svg width="10" height="10"><g id="a"><rect x="1" fill="url(#a)"/><text>&amp;&#65;</text></g></svg>"#.unicodeScalars)
        for round in 0..<3000 {
            var text = svg
            for _ in 0...(round % 3) {
                let at = Int.random(in: 0..<text.count, using: &generator)
                text[at] = ["<", ">", "\"", "&", "#", ";", "/", "=", "!", "?", "a", " "].randomElement(using: &generator)!
            }
            if case .success(let document) = SVGSanitizer.sanitize(String(String.UnicodeScalarView(text))) {
                // Whatever survives re-reads to itself.
                #expect(try SVGSanitizer.sanitize(document.render()).get().render() == document.render())
            }
        }
    }
}
