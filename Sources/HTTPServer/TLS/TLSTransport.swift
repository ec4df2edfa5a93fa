import COpenSSL
import CSystemLinux
import Glibc

/// TLS over a non-blocking socket: OpenSSL reads and writes the descriptor itself; WANT_READ and WANT_WRITE
/// become `.wouldBlock`, so the connection waits for the next epoll edge exactly as with a plain socket. The
/// handshake runs on the first receive or send; it is bounded by the connection's first header deadline.
///
/// A class: it owns the `SSL` object, freed by `close()`. Confined to its connection's event loop thread.
final class TLSTransport: Transport {
    let fd: Int32
    private var ssl: OpaquePointer?
    private var handshakeDone = false
    var isSecure: Bool { true }

    /// Nil when OpenSSL cannot allocate the connection state (the caller closes the socket).
    init?(fd: Int32, store: TLSCertificateStore) {
        guard let ssl = SSL_new(store.base.pointer) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else { SSL_free(ssl); return nil }
        SSL_set_accept_state(ssl)
        self.fd = fd
        self.ssl = ssl
    }

    deinit {
        if let ssl { SSL_free(ssl) }
    }

    /// Drives the handshake; nil once it is done (go on), or the result to report.
    private func handshake() -> TransportResult? {
        guard !handshakeDone else { return nil }
        guard let ssl else { return .closed }
        let result = portal_tls_handshake(ssl)
        switch result {
        case 1: handshakeDone = true; return nil
        case 0: return .wouldBlock
        case -1: return .closed
        default: return .failed(EPROTO)
        }
    }

    /// Fills as much of `buffer` as OpenSSL can give without blocking. Reading on until it wants more from the
    /// socket matters with edge-triggered epoll: a record already pulled into OpenSSL raises no new edge.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        if let pending = handshake() { return pending }
        guard let ssl else { return .closed }
        var total = 0
        while total < buffer.count {
            let chunk = min(buffer.count - total, Int(Int32.max))
            let result = portal_tls_read(ssl, buffer.baseAddress! + total, Int32(chunk))
            if result > 0 { total += Int(result); continue }
            if total > 0 { return .bytes(total) }
            switch result {
            case 0: return .wouldBlock
            case -1: return .closed
            default: return .failed(EPROTO)
            }
        }
        return .bytes(total)
    }

    func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        if let pending = handshake() { return pending }
        guard let ssl else { return .closed }
        guard bytes.count > 0 else { return .bytes(0) }
        let result = portal_tls_write(ssl, bytes.baseAddress!, Int32(min(bytes.count, 1 << 30)))
        switch result {
        case let count where count > 0: return .bytes(Int(count))
        case 0: return .wouldBlock
        case -1: return .closed
        default: return .failed(EPIPE)
        }
    }

    func shutdownWrite() {
        if let ssl, handshakeDone { portal_tls_shutdown(ssl) }
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    func close() {
        if let ssl {
            if handshakeDone { portal_tls_shutdown(ssl) }
            SSL_free(ssl)
            self.ssl = nil
        }
        Glibc.close(fd)
    }
}
