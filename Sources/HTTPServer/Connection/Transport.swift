import CSystemLinux
import Glibc

/// What a connection reads from and writes to: the plain socket, or TLS (`TLSTransport`: OpenSSL over the same
/// non-blocking descriptor, mapping WANT_READ/WANT_WRITE to `.wouldBlock`). Handlers see the difference only
/// as `Request.isSecure`.
protocol Transport {
    /// Whether bytes are encrypted on the wire (for `Secure` cookies and absolute URLs).
    var isSecure: Bool { get }
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult
    func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult
    /// Stops sending (the peer reads EOF) while still reading.
    func shutdownWrite()
    func close()
}

enum TransportResult: Equatable {
    case bytes(Int)
    case wouldBlock
    case closed
    case failed(Int32)
}

/// A non-blocking TCP or Unix socket.
struct SocketTransport: Transport {
    let fd: Int32
    var isSecure: Bool { false }

    @inline(__always) func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(errno)
            }
        }
    }

    @inline(__always) func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        while true {
            // MSG_NOSIGNAL: a vanished client is an EPIPE here, never a SIGPIPE that kills the process.
            let count = Glibc.send(fd, bytes.baseAddress, bytes.count, CSL_MSG_NOSIGNAL)
            if count >= 0 { return .bytes(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(errno)
            }
        }
    }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }
    func close() { Glibc.close(fd) }
}

/// The connection's transport without an existential: plain sockets stay a direct, inlinable call.
enum ConnectionTransport: Transport {
    case plain(SocketTransport)
    case tls(TLSTransport)

    var isSecure: Bool {
        switch self {
        case .plain: false
        case .tls: true
        }
    }

    @inline(__always) func receive(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        switch self {
        case .plain(let socket): socket.receive(into: buffer)
        case .tls(let tls): tls.receive(into: buffer)
        }
    }

    @inline(__always) func send(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        switch self {
        case .plain(let socket): socket.send(bytes)
        case .tls(let tls): tls.send(bytes)
        }
    }

    func shutdownWrite() {
        switch self {
        case .plain(let socket): socket.shutdownWrite()
        case .tls(let tls): tls.shutdownWrite()
        }
    }

    func close() {
        switch self {
        case .plain(let socket): socket.close()
        case .tls(let tls): tls.close()
        }
    }
}
