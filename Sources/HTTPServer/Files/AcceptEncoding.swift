/// `Accept-Encoding` (RFC 9110 §12.5.3), reduced to the one question a static file server asks.
enum AcceptEncoding {
    /// Whether a gzip-encoded response is acceptable: `gzip` (or its old alias `x-gzip`) listed with q > 0,
    /// or, when neither is listed, `*` with q > 0. No header at all means identity: RFC 9110 would allow any
    /// coding then, but clients that decode gzip always say so.
    static func allowsGzip(_ headerValues: [String]) -> Bool {
        var gzip: Bool?
        var wildcard: Bool?
        for value in headerValues {
            for member in value.split(separator: ",") {
                let parts = member.split(separator: ";", omittingEmptySubsequences: false)
                let coding = parts[0].trimmingWhitespace()
                var accepted = true
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    guard pair.count == 2, pair[0].trimmingWhitespace().equalsIgnoringCase("q") else { continue }
                    guard let positive = qValueIsPositive(pair[1].trimmingWhitespace()) else { accepted = false; break }
                    accepted = positive
                }
                if coding.equalsIgnoringCase("gzip") || coding.equalsIgnoringCase("x-gzip") {
                    gzip = (gzip ?? false) || accepted
                } else if coding == "*" {
                    wildcard = (wildcard ?? false) || accepted
                }
            }
        }
        return gzip ?? wildcard ?? false
    }

    /// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). Nil when malformed, which is treated
    /// as "not acceptable": a client that cannot write a q-value gets the safe identity encoding.
    static func qValueIsPositive(_ text: Substring) -> Bool? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == 0x30 || first == 0x31 else { return nil }
        if bytes.count > 1 {
            guard bytes[1] == 0x2E, bytes.count <= 5, bytes[2...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            if first == 0x31 { return bytes[2...].allSatisfy { $0 == 0x30 } ? true : nil }
            return bytes[2...].contains { $0 != 0x30 }
        }
        return first == 0x31
    }
}
