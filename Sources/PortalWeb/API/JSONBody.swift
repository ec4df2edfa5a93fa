import Foundation
import PortalCore
import HTTPServer

/// Reading JSON request bodies strictly: `415` for anything but `application/json`, `400` for malformed JSON
/// or a body that is not an object.
enum JSONBody {
    static func object(_ request: Request) throws -> [String: Any] {
        let type = request.headers["content-type"]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == "application/json" else {
            throw APIProblem(.unsupportedMediaType, "Send the body as application/json.")
        }
        let bytes = try request.body.readAll()
        do {
            try StrictJSON.validate(bytes)
        } catch .duplicateKey(let key) {
            throw APIProblem(.badRequest, "The body is not valid JSON: the key \"\(key)\" appears twice.")
        } catch .tooDeep {
            throw APIProblem(.badRequest, "The body is nested more than \(StrictJSON.maximumDepth) levels deep.")
        } catch .syntax(let offset) {
            throw APIProblem(.badRequest, "The body is not valid JSON (at byte \(offset)).")
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: []) else {
            throw APIProblem(.badRequest, "The body is not valid JSON.")
        }
        guard let object = value as? [String: Any] else {
            throw APIProblem(.badRequest, "The body must be a JSON object.")
        }
        return object
    }

    /// A JSON response with keys in a stable order.
    static func response(_ object: Any, status: HTTPStatus = .ok) -> Response {
        Response(status: status, contentType: "application/json", body: JSONWriter.bytes(object))
    }
}
