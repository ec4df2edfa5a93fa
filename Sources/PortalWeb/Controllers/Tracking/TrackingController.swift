import Foundation
import HTTPServer
import PortalCore
import PortalSecurity
import Store
import Synchronization

/// `GET /r/{code}`: the tracking redirect of CONTRACTS.md. A counted click is written in a group commit and
/// the `302` (to the destination with `pp_click` added, and a `pp_click` cookie for the program's cookie
/// window) is sent only once that commit is done — every answered click is in the database. Bots are
/// redirected without a click or cookie; links of partners who are not approved go to the program's fallback
/// URL without a click; unknown codes get an HTML 404.
final class TrackingController: Sendable {
    let links: LinkCache
    let recorder: ClickRecorder
    let visitorSecret: [UInt8]
    let notFoundPage: [UInt8]
    /// Today's visitor key, derived and prepared once a day rather than once per click.
    private let dayKey = Mutex<(day: Int64, key: HMACSHA256.PreparedKey?)>((day: .min, key: nil))

    init(links: LinkCache, recorder: ClickRecorder, visitorSecret: [UInt8], templates: TemplateRenderer) throws {
        self.links = links
        self.recorder = recorder
        self.visitorSecret = visitorSecret
        // Rendered once: the page is the same for every unknown code, and this route runs on the event loop.
        notFoundPage = Array(try templates.render("errors/link-not-found", [String: String]()).utf8)
    }

    func register(on router: Router) {
        router.deferred(.get, "/r/{code}") { [self] request, parameters, sink in
            let now = Int64(Date().timeIntervalSince1970)
            let link: TrackedLink?
            do {
                link = try links.lookup(parameters["code"] ?? "", now: now)
            } catch {
                sink.send(.text("Tracking is unavailable right now.\n", status: .serviceUnavailable))
                return
            }
            guard let link else {
                sink.send(Response(status: .notFound, contentType: "text/html; charset=utf-8", body: notFoundPage))
                return
            }
            guard link.partnerApproved else {
                sink.send(Self.redirect(to: link.fallbackURL ?? Self.origin(of: link.destination)))
                return
            }
            let userAgent = request.headers["user-agent"] ?? ""
            let agent = UserAgentClass.classify(userAgent)
            guard agent.isCounted else {
                sink.send(Self.redirect(to: link.destination))
                return
            }
            let click = ClickRecord(
                programID: link.programID, partnerID: link.partnerID, linkID: link.linkID, campaign: link.campaign, at: now,
                visitor: VisitorHash.compute(ip: AuthController.address(request), userAgent: userAgent, dayKey: key(for: now)),
                device: agent.rawValue, country: Self.country(request), referrer: String((request.headers["referer"] ?? "").prefix(500)),
                subIDs: Self.subIDs(request))
            // Everything but the id is prepared here, on the event loop: the completion runs on the single
            // click-writer thread, which every click passes through.
            let location = TrackingURL.ClickURL(destination: link.destination)
            let cookie = ClickCookie(maxAge: link.cookieSeconds, secure: request.isSecure)
            recorder.record(click) { result in
                switch result {
                case .success(let id):
                    let clickID = String(id)
                    var response = Self.redirect(to: location.with(clickID: clickID))
                    response.headers.append("Set-Cookie", cookie.headerValue(clickID: clickID))
                    sink.send(response)
                case .failure:
                    // The visitor still reaches the page; only the credit is lost.
                    sink.send(Self.redirect(to: link.destination))
                }
            }
        }
    }

    private func key(for now: Int64) -> HMACSHA256.PreparedKey {
        let day = VisitorHash.day(of: now)
        return dayKey.withLock { cached in
            if let key = cached.key, cached.day == day { return key }
            let key = HMACSHA256.PreparedKey(key: VisitorHash.dailyKey(day: day, secret: visitorSecret))
            cached = (day, key)
            return key
        }
    }

    /// `sub1`…`sub5` for the click (`sub` stands in for a missing `sub1`); [] when the query has none.
    static func subIDs(_ request: Request) -> [String] {
        guard let query = request.query, !query.isEmpty else { return [] }
        let subIDs = SubIDs.parse(query: request.queryParameters.pairs)
        return [subIDs.subs[0] ?? subIDs.sub ?? ""] + subIDs.subs.dropFirst().map { $0 ?? "" }
    }

    static func redirect(to location: String) -> Response {
        var response = Response.redirect(to: location)
        // A tracking redirect must be fetched every time, or clicks go uncounted.
        response.headers.append("Cache-Control", "no-store")
        return response
    }

    /// `https://shop.example/landing?x` → `https://shop.example/`: where a link with no fallback URL goes.
    static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return "/" }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")/"
    }

    /// A country code from a trusted front proxy or CDN header (`CF-IPCountry`, `X-Country-Code`), if any.
    static func country(_ request: Request) -> String {
        let value = (request.headers["cf-ipcountry"] ?? request.headers["x-country-code"] ?? "").uppercased()
        return value.count == 2 && value.allSatisfy({ ("A"..."Z").contains($0) }) ? value : ""
    }
}

/// Building the destination URL of a redirect.
enum TrackingURL {
    /// Adds `pp_click={id}` to `destination`'s query, keeping the existing query and any fragment.
    static func appendingClick(_ clickID: String, to destination: String) -> String {
        ClickURL(destination: destination).with(clickID: PercentDecoding.encode(clickID))
    }

    /// A destination split around the place its click id goes, so the id is added with two appends.
    struct ClickURL: Sendable {
        /// Everything up to and including `pp_click=`.
        let head: String
        /// The fragment (`#…`), if any.
        let tail: String

        init(destination: String) {
            // Byte-level on purpose: this runs on every click, and String's Foundation-backed search is slow.
            let bytes = Array(destination.utf8)
            let hash = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
            let base = bytes[..<hash]
            var out = [UInt8]()
            out.reserveCapacity(hash + 10)
            out.append(contentsOf: base)
            if !base.contains(UInt8(ascii: "?")) {
                out.append(UInt8(ascii: "?"))
            } else if let last = base.last, last != UInt8(ascii: "?"), last != UInt8(ascii: "&") {
                out.append(UInt8(ascii: "&"))
            }
            out.append(contentsOf: "pp_click=".utf8)
            head = String(decoding: out, as: UTF8.self)
            tail = String(decoding: bytes[hash...], as: UTF8.self)
        }

        /// The URL with `clickID`, which must already be safe in a query (a decimal id is).
        func with(clickID: String) -> String {
            var url = head
            url.reserveCapacity(head.utf8.count + clickID.utf8.count + tail.utf8.count)
            url += clickID
            url += tail
            return url
        }
    }
}

/// The `pp_click` cookie's header with everything but the id rendered in advance (by `SetCookie`, so the
/// attributes are exactly those of any other cookie we set).
struct ClickCookie: Sendable {
    private let attributes: Substring

    init(maxAge: Int, secure: Bool) {
        let empty = SetCookie(name: "pp_click", value: "", maxAge: maxAge, secure: secure).headerValue
        attributes = empty.dropFirst("pp_click=".count)
    }

    /// `pp_click={id}; Path=/; Max-Age=…`; `clickID` must be a cookie-safe value (a decimal id is).
    func headerValue(clickID: String) -> String {
        "pp_click=" + clickID + attributes
    }
}
