/// A QR code (ISO/IEC 18004) of some bytes: byte mode, error correction level M, versions 1 to 10 (up to 213
/// bytes, plenty for a tracking URL). The smallest version that fits is used; of the eight masks the one with the
/// lowest penalty wins (rules N1–N4, scored the way libqrencode scores them, so the output matches `qrencode -l M -8`).
public struct QRCode: Sendable, Equatable {
    public enum Failure: Error, Equatable {
        /// More bytes than version 10-M holds (213).
        case tooLong(bytes: Int, maximum: Int)
    }

    /// The encoded text.
    public let text: String
    public let version: Int
    /// The mask pattern chosen (0–7).
    public let mask: Int
    /// `modules[row][column]`, `true` for dark; `size × size` with no quiet zone.
    public let modules: [[Bool]]
    public var size: Int { modules.count }

    public static let maximumBytes = 213

    public init(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard let version = (1...10).first(where: { Self.fits(bytes.count, version: $0) }) else {
            throw Failure.tooLong(bytes: bytes.count, maximum: Self.maximumBytes)
        }
        let codewords = Self.interleaved(Self.dataCodewords(bytes, version: version), version: version)
        var grid = Grid(version: version)
        grid.place(codewords)
        var best: (penalty: Int, mask: Int, modules: [[Bool]])?
        for mask in 0..<8 {
            var candidate = grid
            candidate.apply(mask: mask)
            candidate.drawFormat(mask: mask)
            let penalty = Self.penalty(candidate.modules)
            if best == nil || penalty < best!.penalty { best = (penalty, mask, candidate.modules) }
        }
        self.text = text
        self.version = version
        self.mask = best!.mask
        self.modules = best!.modules
    }

    // MARK: - Tables (level M)

    /// Per version: error correction codewords per block, and the blocks as (count, data codewords each).
    static let blocks: [Int: (ec: Int, groups: [(count: Int, data: Int)])] = [
        1: (10, [(1, 16)]), 2: (16, [(1, 28)]), 3: (26, [(1, 44)]), 4: (18, [(2, 32)]), 5: (24, [(2, 43)]),
        6: (16, [(4, 27)]), 7: (18, [(4, 31)]), 8: (22, [(2, 38), (2, 39)]), 9: (22, [(3, 36), (2, 37)]),
        10: (26, [(4, 43), (1, 44)]),
    ]

    static let alignmentCentres: [Int: [Int]] = [
        1: [], 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34],
        7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46], 10: [6, 28, 50],
    ]

    static func dataCapacity(version: Int) -> Int {
        blocks[version]!.groups.reduce(0) { $0 + $1.count * $1.data }
    }

    static func countBits(version: Int) -> Int { version < 10 ? 8 : 16 }

    static func fits(_ byteCount: Int, version: Int) -> Bool {
        4 + countBits(version: version) + 8 * byteCount <= 8 * dataCapacity(version: version)
    }

    // MARK: - Data

    /// Mode indicator, count, the bytes, terminator and padding: exactly the version's data codewords.
    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(UInt32(bytes.count), count: countBits(version: version))
        for byte in bytes { bits.append(UInt32(byte), count: 8) }
        let capacity = 8 * dataCapacity(version: version)
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < capacity / 8 {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits the data into blocks, adds each block's error correction, and interleaves both.
    static func interleaved(_ data: [UInt8], version: Int) -> [UInt8] {
        let table = blocks[version]!
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for group in table.groups {
            for _ in 0..<group.count {
                dataBlocks.append(Array(data[offset..<offset + group.data]))
                offset += group.data
            }
        }
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, degree: table.ec) }
        var result: [UInt8] = []
        let longest = dataBlocks.map(\.count).max() ?? 0
        for index in 0..<longest {
            for block in dataBlocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<table.ec {
            for block in ecBlocks { result.append(block[index]) }
        }
        return result
    }

    // MARK: - Format and version information

    /// The 15 format bits for level M (`00`) and `mask`, BCH-coded and XOR-ed with `101010000010010`.
    public static func formatBits(mask: Int) -> Int {
        let data = (0b00 << 3) | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return ((data << 10) | remainder) ^ 0x5412
    }

    /// The 18 version bits (versions 7 and up).
    public static func versionBits(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return (version << 12) | remainder
    }

    // MARK: - Penalty

    /// N1 (runs of five or more), N2 (2×2 blocks), N3 (finder-like 1:1:3:1:1 with four light modules on a side)
    /// and N4 (dark proportion), with libqrencode's reading of N3 and N4.
    static func penalty(_ modules: [[Bool]]) -> Int {
        let size = modules.count
        var total = 0
        for y in 1..<size {
            for x in 1..<size {
                let a = modules[y][x], b = modules[y][x - 1], c = modules[y - 1][x], d = modules[y - 1][x - 1]
                if a == b && a == c && a == d { total += 3 }
            }
        }
        for y in 0..<size { total += lineScore((0..<size).map { modules[y][$0] }) }
        for x in 0..<size { total += lineScore((0..<size).map { modules[$0][x] }) }
        let dark = modules.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 ? 1 : 0) } }
        let area = size * size
        let percent = (200 * dark + area) / area / 2
        total += abs(percent - 50) / 5 * 10
        return total
    }

    /// Runs alternate light, dark, light…; a line starting dark begins with a placeholder light run of -1, so
    /// dark runs sit at odd indices.
    static func lineScore(_ line: [Bool]) -> Int {
        var runs: [Int] = line[0] ? [-1, 1] : [1]
        for index in 1..<line.count {
            if line[index] == line[index - 1] { runs[runs.count - 1] += 1 } else { runs.append(1) }
        }
        var score = 0
        let length = runs.count
        for i in 0..<length {
            if runs[i] >= 5 { score += 3 + runs[i] - 5 }
            guard i & 1 == 1, i >= 3, i < length - 2, runs[i] % 3 == 0 else { continue }
            let unit = runs[i] / 3
            guard runs[i - 2] == unit, runs[i - 1] == unit, runs[i + 1] == unit, runs[i + 2] == unit else { continue }
            if i == 3 || runs[i - 3] >= 4 * unit || i + 4 >= length || runs[i + 3] >= 4 * unit { score += 40 }
        }
        return score
    }

    // MARK: - SVG

    /// An SVG of the code: a white square with a `quietZone` of light modules around, and one `<path>` of
    /// the dark modules as horizontal runs. `<title>` carries the text for screen readers.
    public func svg(moduleSize: Int = 8, quietZone: Int = 4) -> String {
        let side = size + 2 * quietZone
        var path = ""
        for (y, row) in modules.enumerated() {
            var x = 0
            while x < size {
                guard row[x] else { x += 1; continue }
                var end = x
                while end < size && row[end] { end += 1 }
                let run = end - x
                path += "M\(x + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
                x = end
            }
        }
        let pixels = side * moduleSize
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(pixels)" height="\(pixels)" \
            role="img" shape-rendering="crispEdges"><title>\(Self.escaped(text))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    static func escaped(_ text: String) -> String { MarkupEscaping.escape(text) }
}

/// Reed–Solomon error correction over GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D).
public enum ReedSolomon {
    /// The generator polynomial of `degree`, coefficients from the highest power down, leading 1 dropped.
    static func generator(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    /// The `degree` error correction codewords of `data`.
    public static func remainder(_ data: [UInt8], degree: Int) -> [UInt8] {
        let divisor = generator(degree: degree)
        var result = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for index in 0..<degree { result[index] ^= multiply(divisor[index], factor) }
        }
        return result
    }

    /// Multiplication in GF(256) modulo 0x11D.
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var product: UInt32 = 0
        for bit in stride(from: 7, through: 0, by: -1) {
            product = (product << 1) ^ ((product >> 7) * 0x11D)
            product ^= UInt32((y >> UInt8(bit)) & 1) * UInt32(x)
        }
        return UInt8(truncatingIfNeeded: product)
    }
}

struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: UInt32, count: Int) {
        guard count > 0 else { return }
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> UInt32(shift)) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<min(start + 8, bits.count)].enumerated().reduce(UInt8(0)) { $0 | ($1.element ? 0x80 >> UInt8($1.offset) : 0) }
        }
    }
}

/// The module grid while it is drawn: function patterns first, then the data, then mask and format.
struct Grid {
    let version: Int
    let size: Int
    var modules: [[Bool]]
    var isFunction: [[Bool]]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(x + dx) && (0..<size).contains(y + dy) {
                    let distance = max(abs(dx), abs(dy))
                    set(x + dx, y + dy, distance != 2 && distance != 4)
                }
            }
        }
        let centres = QRCode.alignmentCentres[version]!
        let last = centres.count - 1
        for (i, cx) in centres.enumerated() {
            for (j, cy) in centres.enumerated() where !((i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)) {
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormat(mask: 0)  // reserves the format areas; drawn again once the mask is chosen
        if version >= 7 {
            let bits = QRCode.versionBits(version)
            for i in 0..<18 {
                let bit = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, bit)
                set(b, a, bit)
            }
        }
    }

    /// Marks `(x, y)` as a function module of the given colour.
    mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    mutating func drawFormat(mask: Int) {
        let bits = QRCode.formatBits(mask: mask)
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)  // the dark module
    }

    /// The codewords in the two-column zigzag from the bottom right, skipping the vertical timing column.
    mutating func place(_ codewords: [UInt8]) {
        var index = 0
        let total = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    guard !isFunction[y][x], index < total else { continue }
                    modules[y][x] = (codewords[index >> 3] >> UInt8(7 - (index & 7))) & 1 == 1
                    index += 1
                }
            }
            right -= 2
        }
    }

    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let invert = switch mask {
                case 0: (x + y) % 2 == 0
                case 1: y % 2 == 0
                case 2: x % 3 == 0
                case 3: (x + y) % 3 == 0
                case 4: (x / 3 + y / 2) % 2 == 0
                case 5: x * y % 2 + x * y % 3 == 0
                case 6: (x * y % 2 + x * y % 3) % 2 == 0
                default: ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y][x].toggle() }
            }
        }
    }
}
