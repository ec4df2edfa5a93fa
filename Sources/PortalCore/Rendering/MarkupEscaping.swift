/// Text for HTML and SVG/XML content and attribute values: the five characters that could end a text or an
/// attribute are written as entities. One function for every renderer that writes markup by hand.
public enum MarkupEscaping {
    public static func escape(_ text: String) -> String {
        // Work on UTF-8 bytes: the five characters are ASCII, and a byte of a multi-byte character is never ASCII.
        // Most texts (numbers, dates, codes) have none of them and are returned as they are.
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
