/// Per-request state that middleware and handlers share: path parameters and typed values that
/// middleware attaches (the session, the signed-in user, the tenant). Lives on one thread for one request.
public final class RequestContext {
    public var parameters: Parameters
    private var storage: [ObjectIdentifier: Any] = [:]

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
    }

    public subscript<Key: ContextKey>(key: Key.Type) -> Key.Value? {
        get { storage[ObjectIdentifier(key)] as? Key.Value }
        set { storage[ObjectIdentifier(key)] = newValue }
    }
}

/// A typed key for `RequestContext` storage: `enum SessionKey: ContextKey { typealias Value = Session }`.
public protocol ContextKey {
    associatedtype Value
}
