import HTTPServer
import Synchronization

/// `GET /r/{code}`: the tracking redirect of CONTRACTS.md — `302` to the link's destination with
/// `pp_click` added to its query, and a `pp_click` cookie for the program's cookie window.
///
/// Until the store lands (issue 4 records clicks in SQLite through a group commit), links come from an
/// in-memory directory: with `--demo`, the code `demo` points at https://example.com/landing.
struct RedirectController {
    let links: LinkDirectory
    let templates: TemplateRenderer

    func register(on router: Router) throws {
        // Rendered once: the page is the same for every unknown code, and this route runs on the event loop.
        let notFound = Array(try templates.render("errors/link-not-found", [String: String]()).utf8)
        router.get("/r/{code}", options: .eventLoop) { [links] request, context in
            let code = try context.parameters.require("code")
            guard let link = links.lookup(code) else {
                return Response(status: .notFound, contentType: "text/html; charset=utf-8", body: notFound)
            }
            let clickID = links.nextClickID()
            var response = Response.redirect(to: TrackingURL.appendingClick(clickID, to: link.destination))
            response.setCookie(SetCookie(name: "pp_click", value: clickID, maxAge: link.cookieSeconds, secure: request.isSecure))
            return response
        }
    }
}

/// The links the redirect knows, by code.
struct LinkDirectory: Sendable {
    struct Link: Sendable {
        let destination: String
        let cookieSeconds: Int
    }

    let links: [String: Link]
    private let clickCounter = ClickCounter()

    static let empty = LinkDirectory(links: [:])
    static let demo = LinkDirectory(links: ["demo": Link(destination: "https://example.com/landing", cookieSeconds: 60 * 86_400)])

    func lookup(_ code: String) -> Link? { links[code] }
    func nextClickID() -> String { clickCounter.next() }
}

/// Click ids unique within a process run: a random prefix per start plus a counter.
final class ClickCounter: Sendable {
    private let prefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    private let counter = Atomic<UInt64>(0)
    func next() -> String { "c" + prefix + String(counter.add(1, ordering: .relaxed).newValue, radix: 36) }
}

/// Building the destination URL of a redirect.
enum TrackingURL {
    /// Adds `pp_click={id}` to `destination`'s query, keeping the existing query and any fragment.
    static func appendingClick(_ clickID: String, to destination: String) -> String {
        // Byte-level on purpose: this runs on every click, and String's Foundation-backed search is slow.
        let bytes = Array(destination.utf8)
        let hash = bytes.firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        let base = bytes[..<hash]
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + clickID.utf8.count + 10)
        out.append(contentsOf: base)
        if !base.contains(UInt8(ascii: "?")) {
            out.append(UInt8(ascii: "?"))
        } else if let last = base.last, last != UInt8(ascii: "?"), last != UInt8(ascii: "&") {
            out.append(UInt8(ascii: "&"))
        }
        out.append(contentsOf: "pp_click=".utf8)
        out.append(contentsOf: PercentDecoding.encode(clickID).utf8)
        out.append(contentsOf: bytes[hash...])
        return String(decoding: out, as: UTF8.self)
    }
}
