import CZlib

/// Smaller copies of PNG images, in Swift over the system zlib: decodes non-interlaced 8-bit PNGs of every colour
/// type (grey, RGB, palette, grey with alpha, RGBA; `tRNS` transparency included) and all five row filters, scales
/// with a box filter (the average of the source pixels each target pixel covers, weighted by alpha so transparent
/// edges do not darken), and encodes an 8-bit RGBA (or RGB when fully opaque) PNG. 16-bit, sub-byte and interlaced
/// PNGs are not decoded (`nil`): the caller falls back to the original. Bounded: images over
/// `maximumPixels` are not decoded, and zlib never writes past the size the header promises.
public enum PNGThumbnail {
    public static let maximumPixels = 16_000_000

    /// Decoded pixels: `width × height` RGBA, 4 bytes each, rows top to bottom.
    public struct Pixels: Sendable, Equatable {
        public let width: Int
        public let height: Int
        public let rgba: [UInt8]

        public init(width: Int, height: Int, rgba: [UInt8]) {
            precondition(rgba.count == width * height * 4)
            self.width = width
            self.height = height
            self.rgba = rgba
        }
    }

    /// A PNG no wider than `width` (keeping the aspect ratio), or nil when `png` cannot be decoded here or is
    /// already no wider than that.
    public static func scaled(_ png: [UInt8], toWidth width: Int) -> (data: [UInt8], width: Int, height: Int)? {
        guard let pixels = decode(png), pixels.width > width, width > 0 else { return nil }
        let height = max(1, Int((Double(pixels.height) * Double(width) / Double(pixels.width)).rounded()))
        let small = resize(pixels, width: width, height: height)
        return (encode(small), width, height)
    }

    // MARK: - Decoding

    public static func decode(_ png: [UInt8]) -> Pixels? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard png.count > 8, png[0..<8].elementsEqual(signature) else { return nil }
        func be32(_ at: Int) -> Int { Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3]) }
        var index = 8
        var width = 0, height = 0, colorType = -1
        var palette: [UInt8] = []
        var transparency: [UInt8] = []
        var compressed: [UInt8] = []
        var sawHeader = false
        chunks: while index + 8 <= png.count {
            let length = be32(index)
            let type = String(decoding: png[(index + 4)..<(index + 8)], as: UTF8.self)
            let start = index + 8
            guard length >= 0, start + length + 4 <= png.count else { return nil }
            let data = png[start..<(start + length)]
            switch type {
            case "IHDR":
                guard length == 13 else { return nil }
                width = be32(start)
                height = be32(start + 4)
                let bitDepth = png[start + 8]
                colorType = Int(png[start + 9])
                // Only 8-bit, deflate, adaptive filtering, no interlace.
                guard bitDepth == 8, png[start + 10] == 0, png[start + 11] == 0, png[start + 12] == 0,
                      [0, 2, 3, 4, 6].contains(colorType), (1...100_000).contains(width), (1...100_000).contains(height),
                      width * height <= maximumPixels else { return nil }
                sawHeader = true
            case "PLTE": palette = Array(data)
            case "tRNS": transparency = Array(data)
            case "IDAT": compressed.append(contentsOf: data)
            case "IEND": break chunks
            default: break
            }
            index = start + length + 4
        }
        guard sawHeader, !compressed.isEmpty else { return nil }
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType] ?? 4
        let stride = width * channels
        let expected = height * (stride + 1)
        var raw = [UInt8](repeating: 0, count: expected)
        var produced = uLongf(expected)
        let status = raw.withUnsafeMutableBufferPointer { out in
            compressed.withUnsafeBufferPointer { input in
                uncompress(out.baseAddress, &produced, input.baseAddress, uLong(input.count))
            }
        }
        guard status == Z_OK, Int(produced) == expected else { return nil }
        guard let rows = unfilter(raw, stride: stride, height: height, bytesPerPixel: channels) else { return nil }
        return expand(rows, width: width, height: height, colorType: colorType, palette: palette, transparency: transparency)
    }

    /// Undoes the per-row filters (None, Sub, Up, Average, Paeth); `raw` has a filter byte before each row.
    static func unfilter(_ raw: [UInt8], stride: Int, height: Int, bytesPerPixel bpp: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: stride * height)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            let source = y * (stride + 1) + 1
            let row = y * stride
            let previous = row - stride
            for x in 0..<stride {
                let value = raw[source + x]
                let a = x >= bpp ? Int(out[row + x - bpp]) : 0
                let b = y > 0 ? Int(out[previous + x]) : 0
                let c = x >= bpp && y > 0 ? Int(out[previous + x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4: predictor = paeth(a, b, c)
                default: return nil
                }
                out[row + x] = value &+ UInt8(truncatingIfNeeded: predictor)
            }
        }
        return out
    }

    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    static func expand(_ rows: [UInt8], width: Int, height: Int, colorType: Int, palette: [UInt8], transparency: [UInt8]) -> Pixels? {
        let count = width * height
        var rgba = [UInt8](repeating: 255, count: count * 4)
        switch colorType {
        case 0:
            let key = transparency.count >= 2 ? Int(transparency[0]) << 8 | Int(transparency[1]) : -1
            for i in 0..<count {
                let v = rows[i]
                rgba[i * 4] = v; rgba[i * 4 + 1] = v; rgba[i * 4 + 2] = v
                if Int(v) == key { rgba[i * 4 + 3] = 0 }
            }
        case 2:
            let key: [Int]? = transparency.count >= 6
                ? [Int(transparency[0]) << 8 | Int(transparency[1]), Int(transparency[2]) << 8 | Int(transparency[3]),
                   Int(transparency[4]) << 8 | Int(transparency[5])] : nil
            for i in 0..<count {
                let r = rows[i * 3], g = rows[i * 3 + 1], b = rows[i * 3 + 2]
                rgba[i * 4] = r; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = b
                if let key, key == [Int(r), Int(g), Int(b)] { rgba[i * 4 + 3] = 0 }
            }
        case 3:
            guard !palette.isEmpty, palette.count % 3 == 0 else { return nil }
            let entries = palette.count / 3
            for i in 0..<count {
                let entry = Int(rows[i])
                guard entry < entries else { return nil }
                rgba[i * 4] = palette[entry * 3]; rgba[i * 4 + 1] = palette[entry * 3 + 1]; rgba[i * 4 + 2] = palette[entry * 3 + 2]
                rgba[i * 4 + 3] = entry < transparency.count ? transparency[entry] : 255
            }
        case 4:
            for i in 0..<count {
                let v = rows[i * 2]
                rgba[i * 4] = v; rgba[i * 4 + 1] = v; rgba[i * 4 + 2] = v; rgba[i * 4 + 3] = rows[i * 2 + 1]
            }
        case 6:
            rgba = rows
        default:
            return nil
        }
        return Pixels(width: width, height: height, rgba: rgba)
    }

    // MARK: - Scaling

    /// Box filter: each target pixel is the alpha-weighted mean of the source pixels its area covers.
    public static func resize(_ pixels: Pixels, width: Int, height: Int) -> Pixels {
        var out = [UInt8](repeating: 0, count: width * height * 4)
        let sw = pixels.width, sh = pixels.height
        let source = pixels.rgba
        for ty in 0..<height {
            let y0 = ty * sh / height
            let y1 = max(y0 + 1, (ty + 1) * sh / height)
            for tx in 0..<width {
                let x0 = tx * sw / width
                let x1 = max(x0 + 1, (tx + 1) * sw / width)
                var r = 0, g = 0, b = 0, a = 0
                for y in y0..<min(y1, sh) {
                    var i = (y * sw + x0) * 4
                    for _ in x0..<min(x1, sw) {
                        let alpha = Int(source[i + 3])
                        r += Int(source[i]) * alpha
                        g += Int(source[i + 1]) * alpha
                        b += Int(source[i + 2]) * alpha
                        a += alpha
                        i += 4
                    }
                }
                let n = (min(y1, sh) - y0) * (min(x1, sw) - x0)
                let o = (ty * width + tx) * 4
                if a > 0 {
                    out[o] = UInt8((r + a / 2) / a)
                    out[o + 1] = UInt8((g + a / 2) / a)
                    out[o + 2] = UInt8((b + a / 2) / a)
                }
                out[o + 3] = UInt8((a + n / 2) / n)
            }
        }
        return Pixels(width: width, height: height, rgba: out)
    }

    // MARK: - Encoding

    /// An 8-bit PNG of `pixels`: RGB when every pixel is opaque, else RGBA. `filters` picks each row's filter
    /// (cycled); by default Paeth, which suits photos and gradients.
    public static func encode(_ pixels: Pixels, filters: [UInt8] = [4]) -> [UInt8] {
        let opaque = stride(from: 3, to: pixels.rgba.count, by: 4).allSatisfy { pixels.rgba[$0] == 255 }
        let channels = opaque ? 3 : 4
        let rowBytes = pixels.width * channels
        var rows = [UInt8]()
        rows.reserveCapacity(pixels.width * pixels.height * channels)
        if opaque {
            for i in 0..<(pixels.width * pixels.height) { rows.append(contentsOf: pixels.rgba[(i * 4)..<(i * 4 + 3)]) }
        } else {
            rows = pixels.rgba
        }
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * pixels.height)
        for y in 0..<pixels.height {
            let filter = filters.isEmpty ? 0 : filters[y % filters.count]
            raw.append(filter)
            for x in 0..<rowBytes {
                let value = Int(rows[y * rowBytes + x])
                let a = x >= channels ? Int(rows[y * rowBytes + x - channels]) : 0
                let b = y > 0 ? Int(rows[(y - 1) * rowBytes + x]) : 0
                let c = x >= channels && y > 0 ? Int(rows[(y - 1) * rowBytes + x - channels]) : 0
                let predictor = switch filter {
                case 1: a
                case 2: b
                case 3: (a + b) / 2
                case 4: paeth(a, b, c)
                default: 0
                }
                raw.append(UInt8(truncatingIfNeeded: value - predictor))
            }
        }
        var bound = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(bound))
        let status = compressed.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { input in compress2(out.baseAddress, &bound, input.baseAddress, uLong(input.count), 9) }
        }
        precondition(status == Z_OK, "zlib compress2 failed: \(status)")
        compressed.removeSubrange(Int(bound)...)
        func be32(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            return be32(data.count) + body + be32(Int(crc))
        }
        let header = be32(pixels.width) + be32(pixels.height) + [8, opaque ? 2 : 6, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", compressed) + chunk("IEND", [])
    }
}
