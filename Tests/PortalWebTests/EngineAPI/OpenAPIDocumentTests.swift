import Foundation
import PortalCore
import Testing
@testable import PortalWeb

/// `GET /api/v1/openapi.json`: served without a key, and listing exactly the routes the router holds under
/// `/api/v1` — so adding or removing a route without describing it fails here.
@Suite struct OpenAPIDocumentTests {
    static func served(_ h: EngineAPIHarness) throws -> [String: Any] {
        let reply = try h.send("GET", "/openapi.json", bearer: nil, contentType: nil)
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "application/json")
        return try #require(reply.object)
    }

    @Test func everyRouteUnderAPIv1IsDescribedAndNothingElse() throws {
        let h = try EngineAPIHarness()
        let document = try Self.served(h)
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { described.insert("\(method.uppercased()) \(path)") }
        }
        var routed: Set<String> = []
        for route in h.portal.application.router.routeTable() where route.path.hasPrefix("/api/v1/") {
            routed.insert("\(route.method.rawValue) \(route.path.dropFirst("/api/v1".count))")
        }
        #expect(routed.count >= 30)
        #expect(routed.subtracting(described).isEmpty, "routes missing from openapi.json: \(routed.subtracting(described).sorted())")
        #expect(described.subtracting(routed).isEmpty, "described but not routed: \(described.subtracting(routed).sorted())")
    }

    @Test func theDocumentIsOpenAPI31WithBearerProblemsListsAndMoney() throws {
        let h = try EngineAPIHarness()
        let document = try Self.served(h)
        #expect(document["openapi"] as? String == "3.1.0")
        let components = try #require(document["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: [String: Any]])
        #expect(schemes["bearer"]?["scheme"] as? String == "bearer")
        let schemas = try #require(components["schemas"] as? [String: [String: Any]])
        let problem = try #require(schemas["Problem"]?["properties"] as? [String: Any])
        for field in ["type", "title", "status", "detail", "errors"] { #expect(problem[field] != nil, "Problem.\(field)") }
        // Money: integer minor units next to an ISO 4217 currency.
        let payout = try #require(schemas["Payout"]?["properties"] as? [String: [String: Any]])
        #expect(payout["amount"]?["type"] as? String == "integer")
        #expect(payout["currency"]?["pattern"] as? String == "^[A-Z]{3}$")

        // Every $ref resolves.
        let text = String(decoding: JSONWriter.bytes(document), as: UTF8.self)
        let refs = text.components(separatedBy: "\"#/components/schemas/").dropFirst().map { $0.prefix(while: { $0 != "\"" }) }
        #expect(!refs.isEmpty)
        for name in refs { #expect(schemas[String(name)] != nil, "unresolved $ref \(name)") }

        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        // Lists are the {data, next_cursor} envelope.
        let list = try #require(paths["/partners"]?["get"]?["responses"] as? [String: [String: Any]])
        let content = try #require(list["200"]?["content"] as? [String: [String: Any]])
        let schema = try #require(content["application/json"]?["schema"] as? [String: Any])
        #expect((schema["required"] as? [String]) == ["data", "next_cursor"])
        // Keyed routes list 401 and 429 (with Retry-After); the document itself needs no key.
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = try #require(operation["responses"] as? [String: [String: Any]])
                if path == "/openapi.json" {
                    #expect((operation["security"] as? [Any])?.isEmpty == true)
                    continue
                }
                #expect(responses["401"] != nil, "\(method) \(path)")
                let headers = responses["429"]?["headers"] as? [String: Any]
                #expect(headers?["Retry-After"] != nil, "\(method) \(path)")
                if path.contains("{") { #expect(responses["404"] != nil, "\(method) \(path)") }
            }
        }
        #expect(paths["/conversions"]?["post"].flatMap { ($0["responses"] as? [String: Any])?["409"] } != nil)
    }

    @Test func theRouteTableListsParametersAsPatterns() throws {
        let h = try EngineAPIHarness()
        let table = h.portal.application.router.routeTable().map { "\($0.method.rawValue) \($0.path)" }
        #expect(table.contains("DELETE /api/v1/partners/{id}/keys/{key_id}"))
        #expect(table.contains("GET /api/v1/openapi.json"))
    }
}
