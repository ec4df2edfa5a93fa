/// What an uploaded image really is, read from its bytes (never from its name or the browser's content type):
/// PNG, JPEG, GIF or WebP, with its pixel size. SVG is text that can carry script, so it is not an "image" here —
/// callers that accept SVG sanitise it separately. Pure and bounded: it reads headers only.
public struct ImageInfo: Sendable, Equatable {
    public enum Format: String, Sendable {
        case png, jpeg, gif, webp

        public var contentType: String {
            switch self {
            case .png: "image/png"
            case .jpeg: "image/jpeg"
            case .gif: "image/gif"
            case .webp: "image/webp"
            }
        }

        public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
    }

    public let format: Format
    public let width: Int
    public let height: Int

    public init(format: Format, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }

    /// The format and size of `bytes`, or nil when they are not a well-formed image header of a known format.
    public static func read(_ bytes: [UInt8]) -> ImageInfo? {
        func be16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        func be32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        func le16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func le24(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 }
        func valid(_ format: Format, _ width: Int, _ height: Int) -> ImageInfo? {
            (1...100_000).contains(width) && (1...100_000).contains(height) ? ImageInfo(format: format, width: width, height: height) : nil
        }
        // PNG: signature, then the IHDR chunk first.
        if bytes.count >= 24, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
           bytes[12..<16].elementsEqual([0x49, 0x48, 0x44, 0x52]) {
            return valid(.png, be32(16), be32(20))
        }
        // GIF87a / GIF89a: logical screen size, little-endian.
        if bytes.count >= 10, bytes[0..<6].elementsEqual(Array("GIF87a".utf8)) || bytes[0..<6].elementsEqual(Array("GIF89a".utf8)) {
            return valid(.gif, le16(6), le16(8))
        }
        // WebP: RIFF....WEBP then VP8 / VP8L / VP8X.
        if bytes.count >= 30, bytes[0..<4].elementsEqual(Array("RIFF".utf8)), bytes[8..<12].elementsEqual(Array("WEBP".utf8)) {
            let chunk = String(decoding: bytes[12..<16], as: UTF8.self)
            switch chunk {
            case "VP8 " where bytes[23] == 0x9D && bytes[24] == 0x01 && bytes[25] == 0x2A:
                return valid(.webp, le16(26) & 0x3FFF, le16(28) & 0x3FFF)
            case "VP8L" where bytes[20] == 0x2F:
                let b1 = Int(bytes[21]), b2 = Int(bytes[22]), b3 = Int(bytes[23]), b4 = Int(bytes[24])
                return valid(.webp, 1 + ((b2 & 0x3F) << 8 | b1), 1 + ((b4 & 0x0F) << 10 | b3 << 2 | (b2 & 0xC0) >> 6))
            case "VP8X":
                return valid(.webp, 1 + le24(24), 1 + le24(27))
            default:
                return nil
            }
        }
        // JPEG: SOI, then segments until a start-of-frame marker carries the size.
        if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 {
            var index = 2
            while index + 9 < bytes.count {
                guard bytes[index] == 0xFF else { return nil }
                let marker = bytes[index + 1]
                if marker == 0xFF { index += 1; continue }
                if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { index += 2; continue }
                let length = be16(index + 2)
                guard length >= 2 else { return nil }
                // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC).
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                    return valid(.jpeg, be16(index + 7), be16(index + 5))
                }
                if marker == 0xDA || marker == 0xD9 { return nil }
                index += 2 + length
            }
        }
        return nil
    }
}
