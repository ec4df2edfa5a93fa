import Foundation
import Glibc
import Synchronization
import Testing
@testable import HTTPServer

/// Collects a streamed body, remembering the size of each piece.
private final class CollectingWriter: BodyWriter, Sendable {
    private let state = Mutex<(bytes: [UInt8], pieces: [Int])>(([], []))
    func write(_ bytes: [UInt8]) throws {
        state.withLock { $0.bytes += bytes; $0.pieces.append(bytes.count) }
    }
    var bytes: [UInt8] { state.withLock { $0.bytes } }
    var pieces: [Int] { state.withLock { $0.pieces } }
}

/// A temporary site: `public/` is the root, `outside/` sits next to it with a secret that symlinks point at.
private struct Site {
    let base: String
    var root: String { base + "/public" }
    var outside: String { base + "/outside" }
    let big: [UInt8]
    /// The fixed modification time given to most files, so dates and tags can be asserted exactly.
    static let mtimeSeconds = 1_700_000_000
    static let mtimeNanoseconds = 123_456_789
    static let lastModified = "Tue, 14 Nov 2023 22:13:20 GMT"
    /// 1 MiB and a bit of non-repeating bytes (a linear congruential sequence), made once for all tests, so a
    /// piece sent twice or out of order would show.
    static let bigContent: [UInt8] = {
        var state: UInt32 = 12_345
        return (0..<((1 << 20) + 123)).map { _ in
            state = state &* 1_103_515_245 &+ 12_345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
    }()

    init() throws {
        base = NSTemporaryDirectory() + "fileserver-tests-\(UUID().uuidString)"
        big = Self.bigContent
        let manager = FileManager.default
        for directory in ["public/sub", "public/empty-dir", "public/.hidden", "outside"] {
            try manager.createDirectory(atPath: "\(base)/\(directory)", withIntermediateDirectories: true)
        }
        let files: [String: [UInt8]] = [
            "public/index.html": Array("<h1>home</h1>".utf8),
            "public/style.css": Array("body { color: red }".utf8),
            "public/app.js": Array("console.log('identity')".utf8),
            "public/app.js.gz": Array("GZIPPED BYTES OF app.js".utf8),
            "public/data.json": Array("{\"a\":1}".utf8),
            "public/notes.txt": Array("0123456789abcdefghij".utf8),
            "public/LOGO.PNG": [0x89, 0x50, 0x4E, 0x47],
            "public/noext": [1, 2, 3],
            "public/empty.txt": [],
            "public/file with space.txt": Array("spaced".utf8),
            "public/ünï.txt": Array("unicode".utf8),
            "public/big.bin": big,
            "public/evil.txt": Array("evil identity".utf8),
            "public/.secret": Array("hidden".utf8),
            "public/.hidden/inner.txt": Array("hidden inner".utf8),
            "public/sub/index.html": Array("<h1>sub</h1>".utf8),
            "public/sub/page.html": Array("<p>page</p>".utf8),
            "outside/secret.txt": Array("TOP SECRET".utf8),
        ]
        for (path, content) in files {
            try Data(content).write(to: URL(fileURLWithPath: "\(base)/\(path)"))
            var times = [timespec(tv_sec: Self.mtimeSeconds, tv_nsec: Self.mtimeNanoseconds),
                         timespec(tv_sec: Self.mtimeSeconds, tv_nsec: Self.mtimeNanoseconds)]
            #expect(utimensat(AT_FDCWD, "\(base)/\(path)", &times, 0) == 0)
        }
        let links = [
            "public/link-in.css": "style.css",
            "public/link-out.txt": "../outside/secret.txt",
            "public/link-dir-out": "../outside",
            "public/link-hidden": ".secret",
            "public/link-abs-out.txt": "\(base)/outside/secret.txt",
            "public/evil.txt.gz": "../outside/secret.txt",
            "public/sub/up.css": "../style.css",
        ]
        for (path, destination) in links {
            try manager.createSymbolicLink(atPath: "\(base)/\(path)", withDestinationPath: destination)
        }
        #expect(mkfifo("\(base)/public/pipe.txt", 0o644) == 0)
    }

    func remove() { try? FileManager.default.removeItem(atPath: base) }

    func contents(_ relative: String) -> [UInt8] {
        FileManager.default.contents(atPath: "\(root)/\(relative)").map { [UInt8]($0) } ?? []
    }
}

private func withSite(_ body: (Site, FileServer) throws -> Void) throws {
    let site = try Site()
    defer { site.remove() }
    try body(site, FileServer(root: site.root))
}

private func request(_ target: String, _ method: HTTPMethod = .get, _ headers: [(String, String)] = []) -> Request {
    Request(head: RequestHead(method: method, target: target, headers: HTTPHeaders(headers)))
}

/// The body a client would receive, running a streamed body's producer.
private func bodyBytes(_ response: Response) throws -> [UInt8] {
    switch response.body {
    case .empty: return []
    case .bytes(let bytes): return bytes
    case .stream(let length, let producer):
        let writer = CollectingWriter()
        try producer(writer)
        #expect(length == Int64(writer.bytes.count))
        return writer.bytes
    }
}

private func streamLength(_ response: Response) -> Int64? {
    if case .stream(let length, _) = response.body { return length }
    return nil
}

private func etag(size: Int, variant: String? = nil) -> String {
    let nanoseconds = Int64(Site.mtimeSeconds) * 1_000_000_000 + Int64(Site.mtimeNanoseconds)
    return "\"\(String(size, radix: 16))-\(String(nanoseconds, radix: 16))\(variant.map { "-\($0)" } ?? "")\""
}

@Suite struct FileServerTests {
    // MARK: Basics

    @Test func servesAFileWithItsHeaders() throws {
        try withSite { (site, server) throws in
            let response = try #require(server.respond(to: request("/style.css")))
            #expect(response.status == .ok)
            #expect(try bodyBytes(response) == site.contents("style.css"))
            #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
            #expect(response.headers["ETag"] == etag(size: 19))
            #expect(response.headers["Last-Modified"] == Site.lastModified)
            #expect(response.headers["Cache-Control"] == "public, max-age=3600")
            #expect(response.headers["Accept-Ranges"] == "bytes")
            #expect(response.headers["Vary"] == nil)
            #expect(response.headers["Content-Encoding"] == nil)
            if case .bytes = response.body {} else { Issue.record("a small file should be read into memory") }
        }
    }

    @Test func customCacheControl() throws {
        try withSite { (site, _) throws in
            let server = FileServer(root: site.root, cacheControl: "no-cache")
            #expect(server.respond(to: request("/style.css"))?.headers["Cache-Control"] == "no-cache")
        }
    }

    @Test func headHasTheHeadersButDoesNotReadTheFile() throws {
        try withSite { (site, server) throws in
            let response = try #require(server.respond(to: request("/style.css", .head)))
            #expect(response.status == .ok)
            #expect(streamLength(response) == 19)
            #expect(response.headers["ETag"] == etag(size: 19))
            #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
            let big = try #require(server.respond(to: request("/big.bin", .head)))
            #expect(streamLength(big) == Int64(site.big.count))
        }
    }

    @Test func onlyGetAndHead() throws {
        try withSite { (_, server) throws in
            for method in [HTTPMethod.post, .put, .delete, .patch, .options, .trace] {
                #expect(server.respond(to: request("/style.css", method)) == nil, "\(method)")
            }
        }
    }

    @Test func missingFilesAndRootsAreNil() throws {
        try withSite { (site, server) throws in
            #expect(server.respond(to: request("/nope.css")) == nil)
            #expect(server.respond(to: request("/sub/nope.html")) == nil)
            #expect(server.respond(to: request("/style.css/x")) == nil)
            #expect(FileServer(root: site.base + "/no-such-folder").respond(to: request("/style.css")) == nil)
            #expect(server.respond(to: request("*", .get)) == nil)
        }
    }

    @Test func contentTypesByExtension() throws {
        let expected: [String: String] = [
            "a.html": "text/html; charset=utf-8", "a.css": "text/css; charset=utf-8",
            "a.js": "text/javascript; charset=utf-8", "a.mjs": "text/javascript; charset=utf-8",
            "a.json": "application/json", "a.svg": "image/svg+xml", "a.png": "image/png", "a.jpg": "image/jpeg",
            "a.jpeg": "image/jpeg", "a.gif": "image/gif", "a.webp": "image/webp", "a.avif": "image/avif",
            "a.ico": "image/x-icon", "a.txt": "text/plain; charset=utf-8", "a.xml": "application/xml",
            "a.pdf": "application/pdf", "a.woff": "font/woff", "a.woff2": "font/woff2", "a.map": "application/json",
            "a.wasm": "application/wasm", "a.csv": "text/csv; charset=utf-8", "a.mp4": "video/mp4",
            "site.webmanifest": "application/manifest+json", "A.JPG": "image/jpeg", "/dir.v2/app.min.js": "text/javascript; charset=utf-8",
            "noext": "application/octet-stream", "a.unknown": "application/octet-stream", ".bashrc": "application/octet-stream",
            "dir.d/noext": "application/octet-stream", "a.": "application/octet-stream", "app.js.gz": "application/gzip",
        ]
        for (name, type) in expected {
            #expect(MediaTypes.forPath(name) == type, "\(name)")
        }
        try withSite { (_, server) throws in
            #expect(server.respond(to: request("/LOGO.PNG"))?.headers["Content-Type"] == "image/png")
            #expect(server.respond(to: request("/noext"))?.headers["Content-Type"] == "application/octet-stream")
            #expect(server.respond(to: request("/data.json"))?.headers["Content-Type"] == "application/json")
            #expect(server.respond(to: request("/"))?.headers["Content-Type"] == "text/html; charset=utf-8")
        }
    }

    @Test func percentEncodedNamesAndQueries() throws {
        try withSite { (site, server) throws in
            #expect(try bodyBytes(try #require(server.respond(to: request("/file%20with%20space.txt")))) == Array("spaced".utf8))
            #expect(try bodyBytes(try #require(server.respond(to: request("/%C3%BCn%C3%AF.txt")))) == Array("unicode".utf8))
            #expect(try bodyBytes(try #require(server.respond(to: request("/style.css?v=3#x")))) == site.contents("style.css"))
            #expect(try bodyBytes(try #require(server.respond(to: request("http://example.com/style.css")))) == site.contents("style.css"))
            #expect(server.respond(to: request("//style.css")) != nil)
        }
    }

    @Test func emptyFile() throws {
        try withSite { (_, server) throws in
            let response = try #require(server.respond(to: request("/empty.txt")))
            #expect(response.status == .ok)
            #expect(try bodyBytes(response).isEmpty)
            #expect(response.headers["ETag"] == etag(size: 0))
        }
    }

    // MARK: Directories and hidden files

    @Test func directoriesServeTheirIndex() throws {
        try withSite { (site, server) throws in
            #expect(try bodyBytes(try #require(server.respond(to: request("/")))) == site.contents("index.html"))
            #expect(try bodyBytes(try #require(server.respond(to: request("/sub/")))) == site.contents("sub/index.html"))
            #expect(try bodyBytes(try #require(server.respond(to: request("/sub")))) == site.contents("sub/index.html"))
            #expect(try bodyBytes(try #require(server.respond(to: request("/sub/page.html")))) == site.contents("sub/page.html"))
            #expect(server.respond(to: request("/empty-dir/")) == nil)
            #expect(server.respond(to: request("/empty-dir")) == nil)
            // A file asked for as a directory is not there.
            #expect(server.respond(to: request("/style.css/")) == nil)
        }
    }

    @Test func hiddenFilesAreNotServed() throws {
        try withSite { (_, server) throws in
            for target in ["/.secret", "/.hidden/inner.txt", "/.hidden/", "/%2esecret", "/%2Ehidden/inner.txt", "/sub/../.secret",
                           "/link-hidden"] {
                #expect(server.respond(to: request(target)) == nil, "\(target)")
            }
        }
    }

    @Test func specialFilesAreNotServed() throws {
        // A FIFO would block a reader forever; it is refused without being opened for long.
        try withSite { (_, server) throws in
            #expect(server.respond(to: request("/pipe.txt")) == nil)
        }
    }

    // MARK: Path safety

    @Test func traversalAttemptsAreRefused() throws {
        try withSite { (site, server) throws in
            let attempts = [
                "/../outside/secret.txt", "/sub/../../outside/secret.txt", "/..", "/../", "/./style.css",
                "/%2e%2e/outside/secret.txt", "/%2E%2E/outside/secret.txt", "/.%2e/outside/secret.txt",
                "/sub/%2e%2e/%2e%2e/outside/secret.txt",
                "/..%2foutside%2fsecret.txt", "/sub%2f..%2f..%2foutside%2fsecret.txt", "/%2F..%2Foutside/secret.txt",
                "/sub%2Fpage.html", "/..\\outside\\secret.txt", "/%5c..%5coutside%5csecret.txt", "/sub\\page.html",
                "/style.css%00.png", "/style.css%00", "/%00", "/%zz", "/%", "/%C3", "/%ff.txt",
                "http://example.com/../outside/secret.txt", "style.css", "",
                "/\(site.outside)/secret.txt".replacingOccurrences(of: "//", with: "/"),
            ]
            for target in attempts {
                #expect(server.respond(to: request(target)) == nil, "\(target)")
            }
            // Double encoding decodes once only: a literal name, which does not exist.
            #expect(server.respond(to: request("/%252e%252e/outside/secret.txt")) == nil)
        }
    }

    @Test func symlinksMustStayInsideTheRoot() throws {
        try withSite { (site, server) throws in
            #expect(server.respond(to: request("/link-out.txt")) == nil)
            #expect(server.respond(to: request("/link-abs-out.txt")) == nil)
            #expect(server.respond(to: request("/link-dir-out/secret.txt")) == nil)
            #expect(server.respond(to: request("/link-dir-out/")) == nil)
            // Links that stay inside are fine; the type comes from the file they point at.
            let inside = try #require(server.respond(to: request("/link-in.css")))
            #expect(try bodyBytes(inside) == site.contents("style.css"))
            #expect(inside.headers["Content-Type"] == "text/css; charset=utf-8")
            #expect(try bodyBytes(try #require(server.respond(to: request("/sub/up.css")))) == site.contents("style.css"))
        }
    }

    @Test func rootGivenThroughASymlinkOrWithTrailingSlash() throws {
        try withSite { (site, _) throws in
            let link = site.base + "/public-link"
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: site.root)
            for root in [link, site.root + "/", site.root + "/../public"] {
                let server = FileServer(root: root)
                #expect(try bodyBytes(try #require(server.respond(to: request("/style.css")))) == site.contents("style.css"), "\(root)")
                #expect(server.respond(to: request("/link-out.txt")) == nil)
            }
        }
    }

    @Test func staticPathDecoding() {
        #expect(StaticPath("/a/b%20c/")?.segments == ["a", "b c"])
        #expect(StaticPath("/a/b%20c/")?.trailingSlash == true)
        #expect(StaticPath("/a//b")?.segments == ["a", "b"])
        #expect(StaticPath("/")?.segments == [])
        #expect(StaticPath("/a+b")?.segments == ["a+b"])
        #expect(StaticPath("/%252e%252e")?.segments == ["%2e%2e"])
        for bad in ["", "a", "/..", "/.", "/.env", "/a/%2e%2e", "/a%2fb", "/a%5Cb", "/a\\b", "/a%00", "/%zz", "/%fe"] {
            #expect(StaticPath(Substring(bad)) == nil, "\(bad)")
        }
    }

    @Test func containmentIsByPathComponent() {
        #expect(FileServer.isServable("/srv/www/a.css", rootPath: "/srv/www"))
        #expect(FileServer.isServable("/srv/www", rootPath: "/srv/www"))
        #expect(!FileServer.isServable("/srv/www2/a.css", rootPath: "/srv/www"))
        #expect(!FileServer.isServable("/srv/a.css", rootPath: "/srv/www"))
        #expect(!FileServer.isServable("/srv/www/.git/config", rootPath: "/srv/www"))
        #expect(FileServer.isServable("/srv/.site/www/a.css", rootPath: "/srv/.site/www"))
        #expect(FileServer.isServable("/anything", rootPath: "/"))
        // Canonically equivalent but different bytes: a different folder on Linux.
        #expect(!FileServer.isServable("/srv/cafe\u{301}/a.css", rootPath: "/srv/caf\u{E9}"))
    }

    // MARK: Validators

    @Test func ifNoneMatch() throws {
        try withSite { (_, server) throws in
            let tag = etag(size: 19)
            for value in [tag, "W/\(tag)", "\"other\", \(tag)", "*", "\"a,b\", \(tag)"] {
                let response = try #require(server.respond(to: request("/style.css", .get, [("If-None-Match", value)])))
                #expect(response.status == .notModified, "\(value)")
                #expect(try bodyBytes(response).isEmpty)
                #expect(response.headers["ETag"] == tag)
                #expect(response.headers["Cache-Control"] == "public, max-age=3600")
                #expect(response.headers["Content-Type"] == nil)
            }
            #expect(server.respond(to: request("/style.css", .head, [("If-None-Match", tag)]))?.status == .notModified)
            for value in ["\"other\"", "W/\"other\"", String(tag.dropLast()), "garbage"] {
                #expect(server.respond(to: request("/style.css", .get, [("If-None-Match", value)]))?.status == .ok, "\(value)")
            }
            // Split over two header lines.
            let split = server.respond(to: request("/style.css", .get, [("If-None-Match", "\"x\""), ("If-None-Match", tag)]))
            #expect(split?.status == .notModified)
        }
    }

    @Test func ifModifiedSince() throws {
        try withSite { (_, server) throws in
            func status(_ headers: [(String, String)]) -> HTTPStatus? {
                server.respond(to: request("/style.css", .get, headers))?.status
            }
            #expect(status([("If-Modified-Since", Site.lastModified)]) == .notModified)
            #expect(status([("If-Modified-Since", "Wed, 15 Nov 2023 00:00:00 GMT")]) == .notModified)
            #expect(status([("If-Modified-Since", "Tuesday, 14-Nov-23 22:13:20 GMT")]) == .notModified)
            #expect(status([("If-Modified-Since", "Tue Nov 14 22:13:20 2023")]) == .notModified)
            #expect(status([("If-Modified-Since", "Tue, 14 Nov 2023 22:13:19 GMT")]) == .ok)
            #expect(status([("If-Modified-Since", "yesterday")]) == .ok)
            // If-None-Match wins: a non-matching tag means 200 whatever the date says.
            #expect(status([("If-None-Match", "\"other\""), ("If-Modified-Since", "Wed, 15 Nov 2023 00:00:00 GMT")]) == .ok)
        }
    }

    @Test func entityTags() {
        #expect(EntityTag.make(size: 255, modificationNanoseconds: 4096) == "\"ff-1000\"")
        #expect(EntityTag.make(size: 1, modificationNanoseconds: 2, variant: "gz") == "\"1-2-gz\"")
        #expect(EntityTag.conditions(["\"a\", W/\"b\" , *,,\"c,d\""]) ==
                [.tag(weak: false, opaque: "a"), .tag(weak: true, opaque: "b"), .any, .tag(weak: false, opaque: "c,d")])
        #expect(EntityTag.conditions(["junk, \"a\""]) == [.tag(weak: false, opaque: "a")])
        #expect(EntityTag.noneMatchHits(["W/\"a\""], current: "\"a\""))
        #expect(!EntityTag.noneMatchHits(["\"b\""], current: "\"a\""))
        #expect(EntityTag.strongMatch("\"a\"", current: "\"a\""))
        #expect(!EntityTag.strongMatch("W/\"a\"", current: "\"a\""))
        #expect(!EntityTag.strongMatch("\"a\"", current: "W/\"a\""))
        #expect(!EntityTag.strongMatch("\"a\" junk", current: "\"a\""))
    }

    @Test func httpDates() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDate.format(-1) == "Wed, 31 Dec 1969 23:59:59 GMT")
        #expect(HTTPDate.format(Int64(Site.mtimeSeconds)) == Site.lastModified)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == 784_111_777)
        #expect(HTTPDate.parse("Tue, 29 Feb 2000 00:00:00 GMT") == 951_782_400)
        for bad in ["", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                    "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:49 GMT", "Mon, 29 Feb 1900 00:00:00 GMT",
                    "Sun, 31 Nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"] {
            #expect(HTTPDate.parse(bad) == nil, "\(bad)")
        }
        // Round trip over a range of days, leap years included.
        for day in stride(from: -300_000, through: 2_900_000, by: 997) {
            let seconds = Int64(day) * 86_400 + 3_723
            #expect(HTTPDate.parse(HTTPDate.format(seconds)) == seconds)
        }
    }

    // MARK: Ranges

    @Test func singleRanges() throws {
        try withSite { (_, server) throws in
            // notes.txt is "0123456789abcdefghij" (20 bytes).
            let cases: [(String, String, String)] = [
                ("bytes=0-9", "0123456789", "bytes 0-9/20"),
                ("bytes=10-", "abcdefghij", "bytes 10-19/20"),
                ("bytes=-5", "fghij", "bytes 15-19/20"),
                ("bytes=-50", "0123456789abcdefghij", "bytes 0-19/20"),
                ("bytes=5-1000", "56789abcdefghij", "bytes 5-19/20"),
                ("bytes=19-19", "j", "bytes 19-19/20"),
                ("BYTES = 2-3", "23", "bytes 2-3/20"),
                ("bytes=0-99999999999999999999999", "0123456789abcdefghij", "bytes 0-19/20"),
            ]
            for (range, body, contentRange) in cases {
                let response = try #require(server.respond(to: request("/notes.txt", .get, [("Range", range)])))
                #expect(response.status == .partialContent, "\(range)")
                #expect(try bodyBytes(response) == Array(body.utf8), "\(range)")
                #expect(response.headers["Content-Range"] == contentRange, "\(range)")
                #expect(response.headers["ETag"] == etag(size: 20))
                #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
            }
        }
    }

    @Test func unsatisfiableRanges() throws {
        try withSite { (_, server) throws in
            for range in ["bytes=20-", "bytes=20-30", "bytes=-0", "bytes=99999999999999999999-"] {
                let response = try #require(server.respond(to: request("/notes.txt", .get, [("Range", range)])))
                #expect(response.status == .rangeNotSatisfiable, "\(range)")
                #expect(response.headers["Content-Range"] == "bytes */20")
                #expect(try bodyBytes(response).isEmpty)
            }
            let empty = try #require(server.respond(to: request("/empty.txt", .get, [("Range", "bytes=0-")])))
            #expect(empty.status == .rangeNotSatisfiable)
            #expect(empty.headers["Content-Range"] == "bytes */0")
            // The suffix form on an empty file: nothing to point at, so the (empty) whole.
            #expect(server.respond(to: request("/empty.txt", .get, [("Range", "bytes=-5")]))?.status == .ok)
        }
    }

    @Test func ignoredRangesSendEverything() throws {
        try withSite { (site, server) throws in
            for range in ["bytes=0-1,5-6", "bytes=0-1, 30-40", "items=0-1", "bytes=5-2", "bytes=a-b", "bytes=", "bytes=-",
                          "bytes 0-1", "bytes=1-2-3", "bytes=--1", "bytes=+1-2"] {
                let response = try #require(server.respond(to: request("/notes.txt", .get, [("Range", range)])))
                #expect(response.status == .ok, "\(range)")
                #expect(try bodyBytes(response) == site.contents("notes.txt"))
                #expect(response.headers["Content-Range"] == nil)
            }
            // Two Range headers are as unusable as a bad one.
            #expect(server.respond(to: request("/notes.txt", .get, [("Range", "bytes=0-1"), ("Range", "bytes=2-3")]))?.status == .ok)
            // Range is defined for GET only.
            let head = try #require(server.respond(to: request("/notes.txt", .head, [("Range", "bytes=0-1")])))
            #expect(head.status == .ok)
            #expect(streamLength(head) == 20)
        }
    }

    @Test func byteRangeSelection() {
        #expect(ByteRange.select("bytes=0-0", size: 1) == .partial(ByteRange(first: 0, last: 0)))
        #expect(ByteRange.select("bytes=-1", size: 1) == .partial(ByteRange(first: 0, last: 0)))
        #expect(ByteRange.select("bytes=1-", size: 1) == .unsatisfiable)
        #expect(ByteRange.select("bytes=0-1,", size: 10) == .partial(ByteRange(first: 0, last: 1)))
        #expect(ByteRange.select("bytes=0-1,2-3", size: 10) == .whole)
        #expect(ByteRange.select("bytes=3-2", size: 10) == .whole)
        #expect(ByteRange(first: 2, last: 5).length == 4)
        #expect(ByteRange(first: 2, last: 5).contentRange(size: 9) == "bytes 2-5/9")
    }

    @Test func ifRange() throws {
        try withSite { (_, server) throws in
            let tag = etag(size: 20)
            func status(_ ifRange: String) -> HTTPStatus? {
                server.respond(to: request("/notes.txt", .get, [("Range", "bytes=0-1"), ("If-Range", ifRange)]))?.status
            }
            #expect(status(tag) == .partialContent)
            #expect(status(Site.lastModified) == .partialContent)
            #expect(status("\"other\"") == .ok)
            #expect(status("W/\(tag)") == .ok)
            #expect(status("Tue, 14 Nov 2023 22:13:21 GMT") == .ok)
            #expect(status("Tue, 14 Nov 2023 22:13:19 GMT") == .ok)
            #expect(status("nonsense") == .ok)
            // A failed If-Range also turns an unsatisfiable range into the whole file.
            #expect(server.respond(to: request("/notes.txt", .get, [("Range", "bytes=50-"), ("If-Range", "\"other\"")]))?.status == .ok)
        }
    }

    @Test func conditionalBeatsRange() throws {
        try withSite { (_, server) throws in
            let response = server.respond(to: request("/notes.txt", .get, [("Range", "bytes=0-1"), ("If-None-Match", etag(size: 20))]))
            #expect(response?.status == .notModified)
        }
    }

    // MARK: Precompressed siblings

    @Test func gzipSiblingWhenAccepted() throws {
        try withSite { (site, server) throws in
            for accept in ["gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "x-gzip", "GZIP;Q=0.001", "identity, *;q=0.5"] {
                let response = try #require(server.respond(to: request("/app.js", .get, [("Accept-Encoding", accept)])))
                #expect(response.status == .ok, "\(accept)")
                #expect(try bodyBytes(response) == site.contents("app.js.gz"), "\(accept)")
                #expect(response.headers["Content-Encoding"] == "gzip")
                #expect(response.headers["Vary"] == "Accept-Encoding")
                #expect(response.headers["Content-Type"] == "text/javascript; charset=utf-8")
                #expect(response.headers["ETag"] == etag(size: 23, variant: "gz"))
            }
        }
    }

    @Test func identityWhenGzipIsNotAccepted() throws {
        try withSite { (site, server) throws in
            for headers in [[], [("Accept-Encoding", "br")], [("Accept-Encoding", "gzip;q=0")], [("Accept-Encoding", "gzip;q=0.000")],
                            [("Accept-Encoding", "*;q=0")], [("Accept-Encoding", "gzip;q=0, *")], [("Accept-Encoding", "")],
                            [("Accept-Encoding", "gzip;q=2")], [("Accept-Encoding", "gzip;q=abc")]] {
                let response = try #require(server.respond(to: request("/app.js", .get, headers)))
                #expect(try bodyBytes(response) == site.contents("app.js"), "\(headers)")
                #expect(response.headers["Content-Encoding"] == nil)
                #expect(response.headers["Vary"] == "Accept-Encoding")
                #expect(response.headers["ETag"] == etag(size: 23))
            }
        }
    }

    @Test func gzipAndConditionalsUseTheirOwnTag() throws {
        try withSite { (_, server) throws in
            let gzipped = [("Accept-Encoding", "gzip")]
            let hit = try #require(server.respond(to: request("/app.js", .get, gzipped + [("If-None-Match", etag(size: 23, variant: "gz"))])))
            #expect(hit.status == .notModified)
            #expect(hit.headers["Vary"] == "Accept-Encoding")
            #expect(hit.headers["ETag"] == etag(size: 23, variant: "gz"))
            // The identity tag does not validate the gzip representation.
            #expect(server.respond(to: request("/app.js", .get, gzipped + [("If-None-Match", etag(size: 23))]))?.status == .ok)
        }
    }

    @Test func rangeRequestsGetIdentity() throws {
        try withSite { (_, server) throws in
            let response = try #require(server.respond(to: request("/app.js", .get, [("Accept-Encoding", "gzip"), ("Range", "bytes=0-6")])))
            #expect(response.status == .partialContent)
            #expect(try bodyBytes(response) == Array("console".utf8))
            #expect(response.headers["Content-Encoding"] == nil)
            #expect(response.headers["Vary"] == "Accept-Encoding")
            #expect(response.headers["Content-Range"] == "bytes 0-6/23")
        }
    }

    @Test func siblingOutsideTheRootIsIgnored() throws {
        try withSite { (site, server) throws in
            // evil.txt.gz is a symlink out of the folder: it is neither served nor announced.
            let response = try #require(server.respond(to: request("/evil.txt", .get, [("Accept-Encoding", "gzip")])))
            #expect(try bodyBytes(response) == site.contents("evil.txt"))
            #expect(response.headers["Content-Encoding"] == nil)
            #expect(response.headers["Vary"] == nil)
        }
    }

    @Test func acceptEncodingParsing() {
        #expect(AcceptEncoding.allowsGzip(["deflate", "gzip"]))
        #expect(AcceptEncoding.allowsGzip(["gzip ; q=0.5"]))
        #expect(AcceptEncoding.allowsGzip(["gzip;q=1.000"]))
        #expect(!AcceptEncoding.allowsGzip(["gzip;q=1.001"]))
        #expect(!AcceptEncoding.allowsGzip(["gzip;q=0.0001"]))
        #expect(!AcceptEncoding.allowsGzip(["*;q=1, gzip;q=0"]))
        #expect(!AcceptEncoding.allowsGzip([]))
        #expect(AcceptEncoding.qValueIsPositive("0.5") == true)
        #expect(AcceptEncoding.qValueIsPositive("0") == false)
        #expect(AcceptEncoding.qValueIsPositive("1") == true)
        #expect(AcceptEncoding.qValueIsPositive(".5") == nil)
    }

    // MARK: Large files

    @Test func largeFilesAreStreamedInPieces() throws {
        try withSite { (site, server) throws in
            let response = try #require(server.respond(to: request("/big.bin")))
            #expect(response.status == .ok)
            guard case .stream(let length, let producer) = response.body else {
                Issue.record("a large file should be streamed")
                return
            }
            #expect(length == Int64(site.big.count))
            let writer = CollectingWriter()
            try producer(writer)
            #expect(writer.bytes == site.big)
            #expect(writer.pieces.allSatisfy { $0 <= 64 << 10 })
            #expect(writer.pieces.count == (site.big.count + (64 << 10) - 1) / (64 << 10))
        }
    }

    @Test func rangesOfLargeFiles() throws {
        try withSite { (site, server) throws in
            let bigRange = try #require(server.respond(to: request("/big.bin", .get, [("Range", "bytes=1000-")])))
            #expect(bigRange.status == .partialContent)
            #expect(streamLength(bigRange) == Int64(site.big.count - 1000))
            #expect(try bodyBytes(bigRange) == Array(site.big[1000...]))
            #expect(bigRange.headers["Content-Range"] == "bytes 1000-\(site.big.count - 1)/\(site.big.count)")

            // A small piece of a large file is read at once.
            let small = try #require(server.respond(to: request("/big.bin", .get, [("Range", "bytes=-100")])))
            if case .bytes(let bytes) = small.body {
                #expect(bytes == Array(site.big.suffix(100)))
            } else {
                Issue.record("a small range should be read into memory")
            }
        }
    }

    @Test func streamFailsIfTheFileShrinks() throws {
        try withSite { (site, server) throws in
            let response = try #require(server.respond(to: request("/big.bin")))
            #expect(truncate("\(site.root)/big.bin", 1000) == 0)
            guard case .stream(_, let producer) = response.body else {
                Issue.record("expected a stream")
                return
            }
            #expect(throws: HTTPError.self) { try producer(CollectingWriter()) }
        }
    }

    @Test func streamKeepsTheOpenedFileWhenThePathIsReplaced() throws {
        try withSite { (site, server) throws in
            let response = try #require(server.respond(to: request("/big.bin")))
            try FileManager.default.removeItem(atPath: "\(site.root)/big.bin")
            try Data("replacement".utf8).write(to: URL(fileURLWithPath: "\(site.root)/big.bin"))
            #expect(try bodyBytes(response) == site.big)
        }
    }
}
