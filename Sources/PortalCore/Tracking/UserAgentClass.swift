import Foundation

/// The kind of client behind a `User-Agent` header, recorded with each click instead of the raw string.
public enum UserAgentClass: String, Sendable, Equatable, CaseIterable {
    case bot
    case phone
    case tablet
    case desktop
    case unknown

    /// Whether a click from this class is counted. Link previewers and crawlers fetch `/r/{code}` without a
    /// person behind them, so counting them would pay partners for chat apps unfurling a link.
    public var isCounted: Bool { self != .bot }

    /// Classifies a `User-Agent` header. Bots are checked first because many of them (Googlebot smartphone,
    /// HeadlessChrome, WhatsApp) also carry phone or desktop tokens.
    public static func classify(_ userAgent: String) -> UserAgentClass {
        // Nearly every header is ASCII, where trimming and lower-casing are byte operations and a token is found
        // by its bytes (no token holds CR or LF, so the one multi-byte ASCII character, CR LF, cannot split a
        // match). This path runs on the event loop for every click; it gives the same answers as the Unicode path.
        var bytes = Array(userAgent.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return classifyUnicode(userAgent) }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return .unknown
        }
        for index in first...last where (0x41...0x5A).contains(bytes[index]) { bytes[index] |= 0x20 }
        return bytes.withUnsafeBufferPointer { buffer in
            let ua = UnsafeBufferPointer(rebasing: buffer[first...last])
            if ASCIITokens.bots.occurs(in: ua) || (ASCIITokens.compatible.isPrefix(of: ua) && !ASCIITokens.msie.occurs(in: ua)) {
                return .bot
            }
            if ASCIITokens.tablets.occurs(in: ua) { return .tablet }
            if ASCIITokens.android.occurs(in: ua) { return ASCIITokens.mobile.occurs(in: ua) ? .phone : .tablet }
            if ASCIITokens.phones.occurs(in: ua) { return .phone }
            if ASCIITokens.desktops.occurs(in: ua) { return .desktop }
            return .unknown
        }
    }

    /// The same rules on any text: Unicode trimming and lower-casing (a few non-ASCII letters, such as the
    /// Kelvin sign, lower-case to ASCII ones).
    static func classifyUnicode(_ userAgent: String) -> UserAgentClass {
        let ua = userAgent.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !ua.isEmpty else { return .unknown }
        if botTokens.contains(where: { ua.contains($0) }) { return .bot }
        if ua.hasPrefix("mozilla/5.0 (compatible;") && !ua.contains("msie") { return .bot }
        if tabletTokens.contains(where: { ua.contains($0) }) { return .tablet }
        if ua.contains("android") { return ua.contains("mobile") ? .phone : .tablet }
        if phoneTokens.contains(where: { ua.contains($0) }) { return .phone }
        if desktopTokens.contains(where: { ua.contains($0) }) { return .desktop }
        return .unknown
    }

    // iPadOS 13+ Safari sends the Mac desktop header by default and is counted as a desktop; the header gives
    // no way to tell. Tablets before phones: iPad and iPhone both say "like Mac OS X"; Android tablets omit
    // "Mobile" by Google's convention.
    static let tabletTokens = ["ipad", "tablet", "kindle", "silk/"]
    static let phoneTokens = ["iphone", "ipod", "windows phone", "blackberry", "opera mini", "mobile"]
    static let desktopTokens = ["windows nt", "macintosh", "x11", "cros ", "linux"]

    /// The token lists as byte patterns, indexed by first byte.
    private enum ASCIITokens {
        static let bots = TokenSet(botTokens)
        static let compatible = TokenSet(["mozilla/5.0 (compatible;"])
        static let msie = TokenSet(["msie"])
        static let tablets = TokenSet(tabletTokens)
        static let android = TokenSet(["android"])
        static let mobile = TokenSet(["mobile"])
        static let phones = TokenSet(phoneTokens)
        static let desktops = TokenSet(desktopTokens)
    }

    /// Lower-case substrings that mark a crawler, previewer, monitor or scripted client. The generic
    /// "bot", "crawl", "spider", "preview" and "fetch" catch the long tail the named ones miss (Discordbot,
    /// TelegramBot, Pinterestbot). Apps' in-app browsers (Instagram, `FBAN`, `[Pinterest/…]`, Discord's
    /// desktop app) are people, so app names alone are not listed; WhatsApp's in-app links open in the system
    /// browser, so its token only ever means the previewer.
    static let botTokens: [String] = [
        "bot", "crawl", "spider", "slurp", "preview", "fetch", "scanner", "monitor",
        "facebookexternalhit", "facebookcatalog", "whatsapp", "embedly", "quora link", "vkshare",
        "w3c_validator", "outbrain", "flipboardproxy",
        "headlesschrome", "phantomjs", "puppeteer", "playwright", "selenium", "lighthouse", "pagespeed",
        "curl/", "wget/", "python-requests", "python-urllib", "aiohttp", "httpx", "go-http-client",
        "java/", "okhttp", "apache-httpclient", "libwww-perl", "node-fetch", "axios/", "ruby", "php/",
        "scrapy", "httpie", "postmanruntime", "insomnia", "feedparser", "rss", "validator", "ahrefs", "semrush",
        "dataprovider", "archive.org", "ia_archiver", "uptime", "pingdom",
    ]
}

/// Lower-case ASCII tokens looked for in lower-cased ASCII text: one pass over the text, comparing at each
/// position only the tokens that start with the byte found there.
private struct TokenSet: Sendable {
    private let byFirstByte: [[[UInt8]]]

    init(_ tokens: [String]) {
        var table = [[[UInt8]]](repeating: [], count: 256)
        for token in tokens where !token.isEmpty {
            let bytes = Array(token.utf8)
            table[Int(bytes[0])].append(bytes)
        }
        byFirstByte = table
    }

    func occurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        for start in text.indices {
            for token in byFirstByte[Int(text[start])] where token.count <= text.count - start {
                if Self.matches(token, text, at: start) { return true }
            }
        }
        return false
    }

    func isPrefix(of text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = text.first else { return false }
        return byFirstByte[Int(first)].contains { $0.count <= text.count && Self.matches($0, text, at: 0) }
    }

    private static func matches(_ token: [UInt8], _ text: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        for offset in 1..<token.count where text[start + offset] != token[offset] { return false }
        return true
    }
}
