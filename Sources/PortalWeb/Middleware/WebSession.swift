import HTTPServer
import PortalCore

/// The session and signed-in principal of a browser request, attached by `SessionMiddleware`.
struct WebSession {
    /// The cookie value (needed to end the session); nil when the visitor has none yet.
    var token: String?
    var session: Session?
    var principal: Principal?
}

enum WebSessionKey: ContextKey {
    typealias Value = WebSession
}

extension RequestContext {
    var webSession: WebSession {
        get { self[WebSessionKey.self] ?? WebSession() }
        set { self[WebSessionKey.self] = newValue }
    }
}

/// Names and attributes of the session cookie.
enum SessionCookie {
    static let name = "pp_session"

    static func set(_ token: String, secure: Bool) -> SetCookie {
        // No Max-Age: the server decides expiry (idle and absolute), the browser forgets it on close only if
        // the server has not already.
        SetCookie(name: name, value: token, httpOnly: true, secure: secure, sameSite: .lax)
    }

    static func clear(secure: Bool) -> SetCookie {
        var cookie = SetCookie.expired(name)
        cookie.secure = secure
        return cookie
    }
}
