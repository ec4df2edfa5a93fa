import Testing
@testable import PortalCore
import PortalSecurity

/// Real `User-Agent` headers and the class each must get.
@Suite struct UserAgentClassTests {
    static let cases: [(String, UserAgentClass)] = [
        // Crawlers and previewers.
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", .bot),
        ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", .bot),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", .bot),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", .bot),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", .bot),
        ("Twitterbot/1.0", .bot),
        ("LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", .bot),
        ("WhatsApp/2.23.20.0 A", .bot),
        ("TelegramBot (like TwitterBot)", .bot),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", .bot),
        ("curl/8.4.0", .bot),
        ("Wget/1.21.4", .bot),
        ("python-requests/2.31.0", .bot),
        ("Go-http-client/1.1", .bot),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", .bot),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", .bot),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", .bot),
        ("SomeCompany Link Preview Service", .bot),
        ("acme-crawler/0.1", .bot),
        ("Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", .bot),
        // Phones.
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", .phone),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36", .phone),
        ("Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", .phone),
        ("Mozilla/5.0 (Android 14; Mobile; rv:120.0) Gecko/120.0 Firefox/120.0", .phone),
        // In-app browsers are people, not previewers.
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 309.0.0.40.113 (iPhone14,5; iOS 17_1; en_US; en; scale=3.00; 1170x2532; 536463046)", .phone),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/442.0.0.35.111;FBBV/553089345;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.1;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/80]", .phone),
        ("Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 [Pinterest/Android]", .phone),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) discord/1.0.9020 Chrome/108.0.5359.215 Electron/22.3.26 Safari/537.36", .desktop),
        ("Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)", .bot),
        ("Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)", .bot),
        // Tablets.
        ("Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", .tablet),
        ("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", .tablet),
        ("Mozilla/5.0 (Android 14; Tablet; rv:120.0) Gecko/120.0 Firefox/120.0", .tablet),
        // Desktops.
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", .desktop),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", .desktop),
        ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", .desktop),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0", .desktop),
        ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", .desktop),
        ("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)", .desktop),
        // Nothing to go on.
        ("", .unknown),
        ("   ", .unknown),
        ("Mozilla/5.0", .unknown),
    ]

    @Test(arguments: cases)
    func classifies(userAgent: String, expected: UserAgentClass) {
        #expect(UserAgentClass.classify(userAgent) == expected, "\(userAgent)")
    }

    /// The byte-level path for ASCII headers gives the Unicode path's answer, also for upper case, surrounding
    /// whitespace, CR LF and tokens at the very start or end.
    @Test func asciiPathAgreesWithTheUnicodePath() {
        let variants = Self.cases.map(\.0).flatMap { ua in
            [ua, ua.uppercased(), " \t" + ua + "\r\n", ua.replacingOccurrences(of: " ", with: "\r\n")]
        } + ["bot", "BOT", "x bot", "bo", "linux", "\r\nmobile\r\n", "Mozilla/5.0 (compatible; msie", "\u{0B}\u{0C}"]
        for ua in variants {
            #expect(UserAgentClass.classify(ua) == UserAgentClass.classifyUnicode(ua), "\(ua.debugDescription)")
        }
        // Non-ASCII text takes the Unicode path: the Kelvin sign lower-cases to "k".
        #expect(UserAgentClass.classify("Mozilla/5.0 (Linux; \u{212A}indle Fire)") == .tablet)
        #expect(UserAgentClass.classify("\u{00A0}Mozilla/5.0 (compatible; Foo/1.0)") == .bot)
    }

    @Test func onlyBotsAreNotCounted() {
        #expect(UserAgentClass.allCases.filter { !$0.isCounted } == [.bot])
    }
}

@Suite struct VisitorHashTests {
    let secret = Array("server-secret-for-tests".utf8)

    @Test func stableWithinADay() {
        let day = VisitorHash.day(of: 1_764_000_000)
        let a = VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", day: day, secret: secret)
        let b = VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", day: day, secret: secret)
        #expect(a == b)
        #expect(a.count == 32)
        // Any two times within one UTC day give the same hash.
        let midnight = day * 86_400
        #expect(VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", at: midnight, secret: secret)
            == VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", at: midnight + 86_399, secret: secret))
    }

    @Test func rotatesAtUTCMidnight() {
        let midnight: Int64 = 20_000 * 86_400
        let before = VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", at: midnight - 1, secret: secret)
        let after = VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", at: midnight, secret: secret)
        #expect(before != after)
        #expect(VisitorHash.day(of: midnight - 1) == 19_999)
        #expect(VisitorHash.day(of: midnight) == 20_000)
        #expect(VisitorHash.day(of: -1) == -1)
    }

    @Test func differsByAddressAgentAndSecret() {
        let base = VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", day: 1, secret: secret)
        #expect(base != VisitorHash.compute(ip: "203.0.113.8", userAgent: "UA", day: 1, secret: secret))
        #expect(base != VisitorHash.compute(ip: "203.0.113.7", userAgent: "UB", day: 1, secret: secret))
        #expect(base != VisitorHash.compute(ip: "203.0.113.7", userAgent: "UA", day: 1, secret: Array("other".utf8)))
        // The field separator keeps the boundary between address and agent.
        #expect(VisitorHash.compute(ip: "1.2.3.4", userAgent: "5x", day: 1, secret: secret)
            != VisitorHash.compute(ip: "1.2.3.45", userAgent: "x", day: 1, secret: secret))
    }

    @Test func usesTheDocumentedDailyKey() {
        let key = HMACSHA256.authenticate(key: secret, message: "visitor-salt:42")
        let expected = HMACSHA256.authenticate(key: key, message: Array("10.0.0.1".utf8) + [0] + Array("UA".utf8))
        #expect(VisitorHash.compute(ip: "10.0.0.1", userAgent: "UA", day: 42, secret: secret) == expected)
    }

    @Test func rawAddressNeverAppears() {
        let ip = "198.51.100.23"
        let hash = VisitorHash.compute(ip: ip, userAgent: "UA", day: 7, secret: secret)
        let ipBytes = Array(ip.utf8)
        let hex = Hex.encode(hash)
        #expect(!hex.contains(ip))
        let containsRaw = (0...(hash.count - 4)).contains { start in
            ipBytes.indices.dropLast(3).contains { Array(hash[start..<start + 4]) == Array(ipBytes[$0..<$0 + 4]) }
        }
        #expect(!containsRaw)
        // And the address bytes as four octets are not in it either.
        let octets: [UInt8] = [198, 51, 100, 23]
        #expect(!(0...(hash.count - 4)).contains { Array(hash[$0..<$0 + 4]) == octets })
    }
}

@Suite struct ClickUniquenessTests {
    @Test func firstClickIsUnique() {
        #expect(ClickUniqueness.isUnique(now: 1_000, lastSeen: nil))
    }

    /// Seconds since the visitor's last click on the link, and whether this one is unique.
    static let elapsed: [(Int64, Bool)] = [(0, false), (1, false), (86_399, false), (86_400, true), (90_000, true), (-5, false)]

    @Test(arguments: elapsed)
    func withinADayIsNotUnique(elapsed: Int64, unique: Bool) {
        let now: Int64 = 1_764_000_000
        #expect(ClickUniqueness.isUnique(now: now, lastSeen: now - elapsed) == unique, "\(elapsed)")
    }
}

@Suite struct ClickFloodDetectorTests {
    let detector = ClickFloodDetector(threshold: 5, window: 60)

    @Test func belowThresholdIsNotFlood() {
        #expect(!detector.isFlood(clickTimes: [0, 1, 2, 3]))
        #expect(!detector.isFlood(clickTimes: []))
    }

    @Test func thresholdInsideWindowIsFlood() {
        #expect(detector.isFlood(clickTimes: [0, 10, 20, 30, 59]))
        #expect(detector.isFlood(clickTimes: [59, 0, 30, 10, 20])) // any order
    }

    @Test func windowIsHalfOpen() {
        // Five clicks spanning exactly 60 s are not within a 60 s window.
        #expect(!detector.isFlood(clickTimes: [0, 15, 30, 45, 60]))
    }

    @Test func spreadOutClicksAreNotFlood() {
        #expect(!detector.isFlood(clickTimes: Array(stride(from: Int64(0), to: 1_000, by: 20))))
    }

    @Test func burstAmongSparseClicksIsFound() {
        let sparse: [Int64] = [0, 500, 1_000, 5_000]
        #expect(detector.isFlood(clickTimes: sparse + [2_000, 2_001, 2_002, 2_003, 2_004]))
    }

    @Test func floodingNowOnlyCountsRecentClicks() {
        let burst: [Int64] = [100, 101, 102, 103, 104]
        #expect(detector.isFlooding(now: 150, clickTimes: burst))
        #expect(!detector.isFlooding(now: 164, clickTimes: burst))
        #expect(!detector.isFlooding(now: 50, clickTimes: burst)) // future clicks do not count
    }
}

@Suite struct SubIDsTests {
    @Test func readsSubAndNumberedSubs() {
        let ids = SubIDs.parse(query: [("sub", "news"), ("sub1", "a"), ("sub3", "c"), ("sub5", "e"), ("utm_source", "x")])
        #expect(ids.sub == "news")
        #expect(ids.subs == ["a", nil, "c", nil, "e"])
    }

    @Test func ignoresUnknownAndOutOfRangeNames() {
        let ids = SubIDs.parse(query: [("sub0", "x"), ("sub6", "x"), ("Sub1", "x"), ("sub10", "x"), ("subx", "x")])
        #expect(ids.isEmpty)
        #expect(ids.subs.count == 5)
    }

    @Test func firstOccurrenceWins() {
        #expect(SubIDs.parse(query: [("sub1", "first"), ("sub1", "second")]).subs[0] == "first")
    }

    @Test func trimsAndDropsEmpty() {
        let ids = SubIDs.parse(query: [("sub", "  spaced \t"), ("sub2", "   "), ("sub3", "")])
        #expect(ids.sub == "spaced")
        #expect(ids.subs[1] == nil)
        #expect(ids.subs[2] == nil)
    }

    @Test func removesControlCharacters() {
        let ids = SubIDs.parse(query: [("sub", "a\u{0}b\r\nc\u{7F}d\u{202E}e\u{85}")])
        #expect(ids.sub == "abcde")
    }

    @Test func cutsTo128Characters() {
        let long = String(repeating: "é", count: 200)
        #expect(SubIDs.parse(query: [("sub4", long)]).subs[3] == String(repeating: "é", count: 128))
        let spaceAtCut = String(repeating: "a", count: 127) + " tail"
        #expect(SubIDs.parse(query: [("sub", spaceAtCut)]).sub == String(repeating: "a", count: 127))
        let exact = String(repeating: "z", count: 128)
        #expect(SubIDs.parse(query: [("sub", exact)]).sub == exact)
    }
}

@Suite struct AddressHashTests {
    let secret = Array("server-secret-for-tests".utf8)

    @Test func stableAcrossDaysAndAgents() {
        #expect(AddressHash.compute(ip: "203.0.113.7", secret: secret) == AddressHash.compute(ip: " 203.0.113.7", secret: secret))
        #expect(AddressHash.compute(ip: "203.0.113.7", secret: secret).count == 32)
    }

    @Test func canonicalForms() {
        #expect(AddressHash.compute(ip: "::ffff:203.0.113.7", secret: secret) == AddressHash.compute(ip: "203.0.113.7", secret: secret))
        #expect(AddressHash.compute(ip: "2001:DB8::1", secret: secret) == AddressHash.compute(ip: "2001:db8::1", secret: secret))
        #expect(AddressHash.canonical("::ffff:abcd") == "::ffff:abcd")
    }

    @Test func differsByAddressAndSecretAndFromVisitorHash() {
        let a = AddressHash.compute(ip: "203.0.113.7", secret: secret)
        #expect(a != AddressHash.compute(ip: "203.0.113.8", secret: secret))
        #expect(a != AddressHash.compute(ip: "203.0.113.7", secret: Array("other".utf8)))
        #expect(a != VisitorHash.compute(ip: "203.0.113.7", userAgent: "", day: 0, secret: secret))
        #expect(!Hex.encode(a).contains("203.0.113.7"))
    }
}
