import Foundation

/// Colours as `#rrggbb` and their WCAG 2.x contrast, so a program's brand colours are refused when text on them (or
/// links in them) would be hard to read. Pure.
public struct RGBColor: Sendable, Equatable {
    public let red: UInt8, green: UInt8, blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// `#4f46e5`, `4F46E5` or `#abc`; nil for anything else.
    public init?(hex text: String) {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces))
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        guard digits.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        if digits.count == 3 { digits = Substring(digits.map { "\($0)\($0)" }.joined()) }
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// Lower-case `#rrggbb`: the one form stored and put into CSS.
    public var hex: String {
        let value = UInt32(red) << 16 | UInt32(green) << 8 | UInt32(blue)
        let text = String(value, radix: 16)
        return "#" + String(repeating: "0", count: 6 - text.count) + text
    }

    /// Relative luminance (WCAG 2.x, sRGB).
    public var luminance: Double {
        func channel(_ value: UInt8) -> Double {
            let c = Double(value) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    }

    /// The WCAG contrast ratio between two colours, 1…21.
    public static func contrast(_ a: RGBColor, _ b: RGBColor) -> Double {
        let (light, dark) = a.luminance >= b.luminance ? (a.luminance, b.luminance) : (b.luminance, a.luminance)
        return (light + 0.05) / (dark + 0.05)
    }

    public static let white = RGBColor(red: 255, green: 255, blue: 255)

    /// A 10 % tint towards white, for soft backgrounds (the current navigation item).
    public func tint(_ share: Double) -> RGBColor {
        func mix(_ value: UInt8) -> UInt8 { UInt8((Double(value) * (1 - share) + 255 * share).rounded()) }
        return RGBColor(red: mix(red), green: mix(green), blue: mix(blue))
    }
}

/// WCAG AA for normal text: 4.5:1.
public enum ContrastRule {
    public static let minimumForText = 4.5

    /// Ratio text like `3.21:1`, rounded down so a shown pass never rounds up from a fail.
    public static func describe(_ ratio: Double) -> String {
        let hundredths = Int((ratio * 100).rounded(.down))
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100):1"
    }
}

private extension UInt8 {
    var isHexDigit: Bool { (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self) }
}

