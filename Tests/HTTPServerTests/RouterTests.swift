import Testing
@testable import HTTPServer

/// The trie router as a pure lookup, without sockets.
@Suite struct RouterTests {
    func makeRouter() -> Router {
        let router = Router()
        router.get("/partners") { _, _ in .text("list") }
        router.get("/partners/new") { _, _ in .text("new") }
        router.get("/partners/{id}") { _, context in .text("show \(context.parameters["id"] ?? "")") }
        router.post("/partners/{id}") { _, _ in .text("update") }
        router.get("/partners/{id}/links/{link}") { _, context in
            .text("\(context.parameters["id"] ?? "")/\(context.parameters["link"] ?? "")")
        }
        router.get("/files/*") { _, context in .text("file \(context.parameters["*"] ?? "")") }
        router.get("/assets/{path...}") { _, context in .text("asset \(context.parameters["path"] ?? "")") }
        return router
    }

    func route(_ router: Router, _ method: HTTPMethod, _ path: String) -> (String?, Router.Match) {
        let match = router.match(method: method, path: Substring(path))
        if case .found(let route, let parameters) = match {
            let response = try? route.handler(Request(head: RequestHead(method: method, target: path)), RequestContext(parameters: parameters))
            if case .bytes(let bytes) = response?.body { return (String(decoding: bytes, as: UTF8.self), match) }
        }
        return (nil, match)
    }

    @Test func staticSegmentsBeatParameters() {
        let router = makeRouter()
        #expect(route(router, .get, "/partners/new").0 == "new")
        #expect(route(router, .get, "/partners/42").0 == "show 42")
        #expect(route(router, .get, "/partners").0 == "list")
        #expect(route(router, .get, "/partners/").0 == "list")
    }

    @Test func parametersArePercentDecoded() {
        let router = makeRouter()
        #expect(route(router, .get, "/partners/a%20b").0 == "show a b")
        #expect(route(router, .get, "/partners/7/links/x%2Fy").0 == "7/x/y")
        if case .badPath = route(router, .get, "/partners/%zz").1 {} else { Issue.record("expected a bad path") }
    }

    @Test func catchAllTakesTheRest() {
        let router = makeRouter()
        #expect(route(router, .get, "/files/a/b/c.txt").0 == "file a/b/c.txt")
        #expect(route(router, .get, "/files").0 == "file ")
        #expect(route(router, .get, "/assets/css/site.css").0 == "asset css/site.css")
    }

    @Test func wrongMethodIs405WithAllow() {
        let router = makeRouter()
        guard case .methodNotAllowed(let allowed) = route(router, .delete, "/partners/1").1 else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed.map(\.rawValue) == ["GET", "HEAD", "OPTIONS", "POST"])
    }

    @Test func headFallsBackToGet() {
        #expect(route(makeRouter(), .head, "/partners").0 == "list")
    }

    @Test func unknownPathsAreNotFound() {
        let router = makeRouter()
        if case .notFound = route(router, .get, "/nope").1 {} else { Issue.record("expected 404") }
        if case .notFound = route(router, .get, "/partners/1/links").1 {} else { Issue.record("expected 404") }
    }

    @Test func groupsPrefixPathsAndRunMiddlewareInOrder() throws {
        let router = Router()
        let outer = ClosureMiddleware { request, context, next in
            var response = try next(request, context)
            response.headers.append("X-Order", "outer")
            return response
        }
        let inner = ClosureMiddleware { request, context, next in
            var response = try next(request, context)
            response.headers.append("X-Order", "inner")
            return response
        }
        router.add(middleware: outer)
        let admin = router.group("/admin", middleware: [inner])
        admin.get("/dashboard") { _, _ in .text("dash") }
        admin.group("reports").get("/{id}") { _, context in .text("report \(context.parameters["id"] ?? "")") }
        router.get("/public") { _, _ in .text("public") }

        guard case .found(let route, let parameters) = router.match(method: .get, path: "/admin/dashboard") else {
            Issue.record("no route")
            return
        }
        let response = try route.handler(Request(head: RequestHead(method: .get, target: "/admin/dashboard")), RequestContext(parameters: parameters))
        // Inner middleware is closest to the handler, so it adds its header first.
        #expect(response.headers.values("x-order") == ["inner", "outer"])
        #expect(self.route(router, .get, "/admin/reports/9").0 == "report 9")
        guard case .found(let plain, _) = router.match(method: .get, path: "/public") else { return }
        let publicResponse = try plain.handler(Request(head: RequestHead(method: .get, target: "/public")), RequestContext())
        #expect(publicResponse.headers.values("x-order") == ["outer"])
    }

    @Test func middlewareCanAnswerWithoutCallingTheHandler() throws {
        let router = Router()
        router.add(middleware: ClosureMiddleware { _, _, _ in .text("denied", status: .forbidden) })
        router.get("/secret") { _, _ in .text("secret") }
        guard case .found(let route, _) = router.match(method: .get, path: "/secret") else { return }
        let response = try route.handler(Request(head: RequestHead(method: .get, target: "/secret")), RequestContext())
        #expect(response.status == .forbidden)
    }

    @Test func bodyLimitComesFromTheRoute() {
        let router = Router()
        router.post("/upload", options: RouteOptions(maxBodySize: 99)) { _, _ in .text("") }
        #expect(router.maxBodySize(for: RequestHead(method: .post, target: "/upload?x=1")) == 99)
        #expect(router.maxBodySize(for: RequestHead(method: .post, target: "/other")) == nil)
    }

    @Test(arguments: [
        ("/a/b?x=1#frag", "/a/b", "x=1"),
        ("/a", "/a", nil),
        ("/a?", "/a", ""),
        ("http://host:8080/p?q", "/p", "q"),
        ("http://host", "/", nil),
        ("http://host?q=1", "/", "q=1"),
        ("*", "*", nil),
    ] as [(String, String, String?)])
    func splitTargetHandlesEveryForm(target: String, path: String, query: String?) {
        let split = Request.splitTarget(target)
        #expect(split.path == path)
        #expect(split.query.map(String.init) == query)
    }
}

