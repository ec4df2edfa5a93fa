/// Parsing of the `Cookie` request header (RFC 6265 §5.4 as browsers send it).
public enum Cookies {
    /// `name=value; name2=value2` from every `Cookie` header; the first occurrence of a name wins, and
    /// pairs without `=` or with an empty name are skipped. Surrounding double quotes are removed.
    public static func parse(_ headerValues: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for header in headerValues {
            for piece in header.split(separator: ";") {
                guard let equals = piece.firstIndex(of: "=") else { continue }
                let name = piece[..<equals].trimmingWhitespace()
                var value = piece[piece.index(after: equals)...].trimmingWhitespace()
                guard !name.isEmpty else { continue }
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = value.dropFirst().dropLast() }
                let key = String(name)
                if result[key] == nil { result[key] = String(value) }
            }
        }
        return result
    }
}

/// A `Set-Cookie` header value (RFC 6265 §4.1). Defaults are the safe ones: `Path=/`, `HttpOnly`,
/// `SameSite=Lax`.
public struct SetCookie: Sendable, Equatable {
    public enum SameSite: String, Sendable { case strict = "Strict", lax = "Lax", none = "None" }

    public var name: String
    public var value: String
    public var path: String? = "/"
    public var domain: String?
    /// Seconds; 0 deletes the cookie.
    public var maxAge: Int?
    public var httpOnly = true
    public var secure = false
    public var sameSite: SameSite? = .lax

    public init(name: String, value: String, path: String? = "/", domain: String? = nil, maxAge: Int? = nil,
                httpOnly: Bool = true, secure: Bool = false, sameSite: SameSite? = .lax) {
        self.name = name
        self.value = value
        self.path = path
        self.domain = domain
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
        self.sameSite = sameSite
    }

    /// A cookie that tells the browser to forget `name`.
    public static func expired(_ name: String, path: String = "/") -> SetCookie {
        SetCookie(name: name, value: "", path: path, maxAge: 0)
    }

    public var headerValue: String {
        // cookie-octet excludes CTLs, whitespace, DQUOTE, comma, semicolon and backslash: encode the rest.
        var text = name + "=" + Self.safeValue(value)
        if let path { text += "; Path=" + path }
        if let domain { text += "; Domain=" + domain }
        if let maxAge { text += "; Max-Age=" + String(maxAge) }
        if httpOnly { text += "; HttpOnly" }
        if secure || sameSite == SameSite.none { text += "; Secure" }
        if let sameSite { text += "; SameSite=" + sameSite.rawValue }
        return text
    }

    static func safeValue(_ value: String) -> String {
        let allowed = value.utf8.allSatisfy { $0 == 0x21 || (0x23...0x2B).contains($0) || (0x2D...0x3A).contains($0) || (0x3C...0x5B).contains($0) || (0x5D...0x7E).contains($0) }
        return allowed ? value : PercentDecoding.encode(value)
    }
}
