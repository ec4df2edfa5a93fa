internal import COpenSSL

/// A failure inside OpenSSL, with the reasons from its error queue.
public struct CryptoError: Error, CustomStringConvertible, Sendable {
    /// The OpenSSL call that failed, e.g. `RAND_bytes`.
    public let operation: String
    /// OpenSSL's own reason strings, oldest first; empty when it queued none.
    public let reasons: [String]

    public var description: String {
        reasons.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reasons.joined(separator: "; "))"
    }

    /// Drains this thread's OpenSSL error queue into an error, so a later failure does not report stale
    /// reasons from this one.
    static func openSSL(_ operation: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return CryptoError(operation: operation, reasons: reasons)
    }

    /// For primitives whose only failure is OpenSSL itself being broken (allocation failure, a provider that
    /// will not load): there is nothing a caller could do, and a wrong digest must never be returned.
    static func fatal(_ operation: String) -> Never {
        fatalError(openSSL(operation).description)
    }
}
