import COpenSSL
import Synchronization

/// The TLS listener's certificates: one OpenSSL server context per host name, chosen during the handshake by the
/// name the client asks for (SNI). Safe to change at any time from any thread — an admin's upload takes effect on
/// the next handshake, without a restart; handshakes already under way keep the context they picked (OpenSSL
/// counts its references).
///
/// A client that sends no name, or a name we hold no certificate for, is refused with an `unrecognized_name`
/// alert rather than shown some other program's certificate (see docs/DECISIONS.md, Custom domains).
public final class TLSCertificateStore: Sendable {
    /// Owns one `SSL_CTX` reference.
    final class Context: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { SSL_CTX_free(pointer) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let contexts = Mutex<[String: Context]>([:])
    /// The context every connection starts with: no certificate of its own, only the SNI callback that
    /// switches to the host's context.
    let base: Context

    public init() throws {
        guard let pointer = portal_tls_server_context_new() else { throw Failure(description: "SSL_CTX_new failed") }
        base = Context(pointer)
        // The callback gets this store back through its argument; the store outlives the base context it owns.
        portal_tls_context_set_servername_callback(pointer, { ssl, alert, argument in
            guard let ssl, let argument else { return portal_tls_ext_fatal() }
            let store = Unmanaged<TLSCertificateStore>.fromOpaque(argument).takeUnretainedValue()
            return store.selectContext(for: ssl, alert: alert)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Installs (or replaces) the certificate chain and key for `host`. Throws when OpenSSL refuses them.
    public func install(host: String, certificatePEM: String, keyPEM: String) throws {
        guard let pointer = portal_tls_server_context_new() else { throw Failure(description: "SSL_CTX_new failed") }
        let context = Context(pointer)
        let loaded = certificatePEM.withCString { certificate in
            keyPEM.withCString { key in
                portal_tls_context_use_pem(pointer, certificate, Int32(certificatePEM.utf8.count), key, Int32(keyPEM.utf8.count))
            }
        }
        guard loaded == 1 else {
            throw Failure(description: "could not load the certificate for \(host): \(Self.lastError())")
        }
        contexts.withLock { $0[Self.normalize(host)] = context }
    }

    public func remove(host: String) {
        _ = contexts.withLock { $0.removeValue(forKey: Self.normalize(host)) }
    }

    /// Replaces every certificate at once (startup, or a full reload).
    public func replaceAll(_ entries: [(host: String, certificatePEM: String, keyPEM: String)]) throws {
        let staging = try TLSCertificateStore()
        for entry in entries { try staging.install(host: entry.host, certificatePEM: entry.certificatePEM, keyPEM: entry.keyPEM) }
        let loaded = staging.contexts.withLock { $0 }
        contexts.withLock { $0 = loaded }
    }

    /// The host names with a certificate, sorted.
    public var hosts: [String] { contexts.withLock { Array($0.keys) }.sorted() }

    static func normalize(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// Runs inside the handshake (on the connection's event loop thread).
    private func selectContext(for ssl: OpaquePointer, alert: UnsafeMutablePointer<Int32>?) -> Int32 {
        guard let raw = portal_ssl_servername(ssl) else {
            alert?.pointee = portal_tls_alert_unrecognized_name()
            return portal_tls_ext_fatal()
        }
        let name = Self.normalize(String(cString: raw))
        // Switched under the lock: SSL_set_SSL_CTX takes its own reference before a concurrent replace can drop ours.
        let switched = contexts.withLock { contexts -> Bool in
            guard let context = contexts[name] else { return false }
            return SSL_set_SSL_CTX(ssl, context.pointer) != nil
        }
        guard switched else {
            alert?.pointee = portal_tls_alert_unrecognized_name()
            return portal_tls_ext_fatal()
        }
        return portal_tls_ext_ok()
    }

    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        portal_openssl_error(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "unknown OpenSSL error" : text
    }
}
