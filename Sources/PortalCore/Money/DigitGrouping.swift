/// Whole numbers as people read them: `1234567` → `1,234,567`. Built from the digits directly, because pages show
/// hundreds of numbers (a year of days in a table) and string slicing per group costs more than the page's queries.
public enum DigitGrouping {
    /// `magnitude` with a comma between each group of three digits.
    public static func grouped(_ magnitude: UInt64) -> String {
        // 20 digits and 6 commas at most.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 26) { buffer in
            var index = buffer.count
            var rest = magnitude
            var digits = 0
            repeat {
                if digits > 0 && digits % 3 == 0 {
                    index -= 1
                    buffer[index] = UInt8(ascii: ",")
                }
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                digits += 1
            } while rest > 0
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[index...]), as: UTF8.self)
        }
    }

    /// `fraction` as exactly `width` digits, zeros in front (`5`, 2 → `05`).
    public static func padded(_ fraction: UInt64, width: Int) -> String {
        let digits = String(fraction)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
