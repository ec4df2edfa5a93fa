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
        let ua = userAgent.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !ua.isEmpty else { return .unknown }
        if botTokens.contains(where: { ua.contains($0) }) { return .bot }
        if ua.hasPrefix("mozilla/5.0 (compatible;") && !ua.contains("msie") { return .bot }
        // iPadOS 13+ Safari sends the Mac desktop header by default and is counted as a desktop; the header
        // gives no way to tell. iPad before iPhone: both say "like Mac OS X"; Android tablets omit "Mobile" by Google's convention.
        if ua.contains("ipad") || ua.contains("tablet") || ua.contains("kindle") || ua.contains("silk/") {
            return .tablet
        }
        if ua.contains("android") { return ua.contains("mobile") ? .phone : .tablet }
        if ua.contains("iphone") || ua.contains("ipod") || ua.contains("windows phone")
            || ua.contains("blackberry") || ua.contains("opera mini") || ua.contains("mobile") {
            return .phone
        }
        if ua.contains("windows nt") || ua.contains("macintosh") || ua.contains("x11") || ua.contains("cros ")
            || ua.contains("linux") {
            return .desktop
        }
        return .unknown
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
