import Foundation

/// Percentages as people type them, held exactly as basis points (1 % = 100 bps), never through a float.
public enum Percentage {
    /// `"20"` → 2000, `"12.5"` → 1250, `"0.25 %"` → 25; nil for anything else, more than two decimals, or above 100 %.
    public static func basisPoints(from text: String) -> Int64? {
        var cleaned = text.trimmingCharacters(in: .whitespaces)
        if cleaned.hasSuffix("%") { cleaned = String(cleaned.dropLast()).trimmingCharacters(in: .whitespaces) }
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 3,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), let whole = Int64(parts[0]) else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 2, parts.count == 1 || !fraction.isEmpty else { return nil }
        let hundredths = Int64(fraction + String(repeating: "0", count: 2 - fraction.count)) ?? 0
        let value = whole * 100 + hundredths
        return value <= 10_000 ? value : nil
    }

    /// 2000 → `"20"`, 1250 → `"12.5"`, 25 → `"0.25"`: the shortest exact form, for form fields and sentences.
    public static func text(basisPoints: Int64) -> String {
        let sign = basisPoints < 0 ? "-" : ""
        let magnitude = basisPoints.magnitude
        let whole = magnitude / 100
        let fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
