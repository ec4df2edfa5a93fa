/// Merge fields in content-template copy: `[link]`, `[partner_name]`, `[coupon]`, `[program_name]`.
///
/// Square brackets, not `{{…}}`: the copy is merged here in Swift and handed to the page as plain text, so
/// Mustache only escapes it, and an admin writing the copy never meets Mustache syntax. A field name is 1 to 32
/// letters, digits or underscores, case-insensitive. A field without a value (an unknown name, or `[coupon]` for a
/// partner without a coupon) is left as written so the partner sees what to fill in; other brackets (`[sic]`,
/// Markdown links) are left alone too. Pure: no I/O.
public enum MergeFields {
    /// The fields the library fills in.
    public static let known = ["link", "partner_name", "coupon", "program_name"]

    /// `text` with every `[name]` that has a value in `values` (keys lowercase) replaced by it.
    public static func merge(_ text: String, values: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            out += rest[..<open]
            let after = rest.index(after: open)
            if let close = rest[after...].prefix(33).firstIndex(of: "]") {
                let name = rest[after..<close]
                if Self.isName(name), let value = values[name.lowercased()] {
                    out += value
                    rest = rest[rest.index(after: close)...]
                    continue
                }
            }
            out.append("[")
            rest = rest[after...]
        }
        out += rest
        return out
    }

    /// The field names used in `text`, in order of first use (lowercased), known or not.
    public static func fields(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            let after = rest.index(after: open)
            if let close = rest[after...].prefix(33).firstIndex(of: "]"), Self.isName(rest[after..<close]) {
                let name = rest[after..<close].lowercased()
                if !found.contains(name) { found.append(name) }
                rest = rest[rest.index(after: close)...]
            } else {
                rest = rest[after...]
            }
        }
        return found
    }

    static func isName(_ name: Substring) -> Bool {
        !name.isEmpty && name.count <= 32 && name.unicodeScalars.allSatisfy { scalar in
            scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
    }
}
