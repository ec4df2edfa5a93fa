import Foundation

/// ISO 4217 currencies: which codes are valid and how many decimals their minor unit has.
public enum Currency {
    /// Currencies whose minor unit is not a hundredth (ISO 4217 exponent); every other valid code uses 2.
    static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0,
        "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
        "CLF": 4, "UYW": 4,
    ]

    /// Decimals of the minor unit (`USD` 2, `JPY` 0, `KWD` 3).
    public static func exponent(of code: String) -> Int { exponents[code] ?? 2 }

    /// Three upper-case ASCII letters.
    public static func isWellFormed(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    /// `1999` USD → `"19.99"`, `-5` → `"-0.05"`, `500` JPY → `"500"`: exact, from integers, never through a float.
    public static func majorUnits(_ amount: Int64, currency: String) -> String {
        let exponent = exponent(of: currency)
        guard exponent > 0 else { return String(amount) }
        let sign = amount < 0 ? "-" : ""
        let magnitude = amount.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        return "\(sign)\(magnitude / divisor).\(String(repeating: "0", count: exponent - fraction.count))\(fraction)"
    }

    /// `"19.99"` USD → `1999`, `"1,250"` → `125000`, `"500"` JPY → `500`: exact decimal parsing of what a person types
    /// (thousands commas allowed, at most the currency's decimals), nil for anything else or beyond 10^15.
    public static func minorUnits(from text: String, currency: String) -> Int64? {
        let cleaned = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        let exponent = exponent(of: currency)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 15,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= exponent, parts.count == 1 || !fraction.isEmpty, let whole = Int64(parts[0]) else { return nil }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let padded = fraction + String(repeating: "0", count: exponent - fraction.count)
        return whole * scale + (Int64(padded.isEmpty ? "0" : padded) ?? 0)
    }
}
