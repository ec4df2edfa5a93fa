import COpenSSL
import Foundation

/// Checks an uploaded certificate and private key before they are stored: both parse, the key belongs to the
/// certificate, the certificate is valid now, and it names the host. Pure apart from OpenSSL's parsing; every
/// refusal is a sentence an admin can act on.
public enum CertificateCheck {
    /// What a valid upload is.
    public struct Certificate: Sendable, Equatable {
        /// The subject, one line (`/CN=a.example.test`).
        public let subject: String
        public let notBefore: Int64
        public let notAfter: Int64
        /// Certificates in the upload (leaf plus chain).
        public let chainLength: Int
    }

    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case certificateUnreadable
        case keyUnreadable
        case keyDoesNotMatch
        case notYetValid(Int64)
        case expired(Int64)
        case doesNotCoverHost(String)

        public var description: String {
            switch self {
            case .certificateUnreadable:
                "The certificate could not be read: paste it in PEM form, starting with -----BEGIN CERTIFICATE-----."
            case .keyUnreadable:
                "The private key could not be read: paste it unencrypted in PEM form, starting with -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY)."
            case .keyDoesNotMatch:
                "The private key does not match the certificate: upload the key the certificate was issued for."
            case .notYetValid(let at):
                "The certificate is not valid yet: it starts on \(CertificateCheck.day(at))."
            case .expired(let at):
                "The certificate expired on \(CertificateCheck.day(at)): upload a renewed certificate."
            case .doesNotCoverHost(let host):
                "The certificate does not cover \(host): its subject alternative names must list \(host) or a matching wildcard."
            }
        }
    }

    /// Clock skew tolerated on a certificate's start (seconds).
    public static let notBeforeLeeway: Int64 = 300

    /// Validates `certificatePEM` (leaf first, then any chain) and `keyPEM` for `host` at `now` (seconds since 1970).
    public static func validate(certificatePEM: String, keyPEM: String, host: String, now: Int64) -> Result<Certificate, Problem> {
        guard let certificate = certificatePEM.withCString({ portal_pem_read_certificate($0, Int32(certificatePEM.utf8.count)) }) else {
            ERR_clear_error()
            return .failure(.certificateUnreadable)
        }
        defer { X509_free(certificate) }
        guard let key = keyPEM.withCString({ portal_pem_read_private_key($0, Int32(keyPEM.utf8.count)) }) else {
            ERR_clear_error()
            return .failure(.keyUnreadable)
        }
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(certificate, key) == 1 else {
            ERR_clear_error()
            return .failure(.keyDoesNotMatch)
        }
        var notBefore: Int64 = 0
        var notAfter: Int64 = 0
        guard portal_x509_not_before(certificate, &notBefore) == 1, portal_x509_not_after(certificate, &notAfter) == 1 else {
            return .failure(.certificateUnreadable)
        }
        // A few minutes of leeway: a certificate issued a moment ago by a CA whose clock runs ahead is not refused.
        if now + notBeforeLeeway < notBefore { return .failure(.notYetValid(notBefore)) }
        if now > notAfter { return .failure(.expired(notAfter)) }
        let covered = host.withCString { portal_x509_covers_host(certificate, $0) }
        ERR_clear_error()
        guard covered == 1 else { return .failure(.doesNotCoverHost(host)) }
        var subject = [CChar](repeating: 0, count: 512)
        portal_x509_subject(certificate, &subject, Int32(subject.count))
        let chain = certificatePEM.withCString { portal_pem_count_certificates($0, Int32(certificatePEM.utf8.count)) }
        return .success(Certificate(subject: String(decoding: subject.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                                    notBefore: notBefore, notAfter: notAfter, chainLength: Int(chain)))
    }

    /// `2026-11-25` (UTC).
    static func day(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// Host names an admin may map to a program: a DNS name of at least two labels, letters, digits and hyphens,
/// lower-cased, no port, no IP address, no trailing dot.
public enum CustomDomainHost {
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case empty, hasPort, isAddress, notAName, tooLong

        public var description: String {
            switch self {
            case .empty: "Enter a host name, such as partners.example.com."
            case .hasPort: "Enter the host name without a port or scheme: partners.example.com, not https://partners.example.com:8443."
            case .isAddress: "An IP address cannot be a custom domain: enter a host name, such as partners.example.com."
            case .notAName: "Enter a full host name with at least one dot, such as partners.example.com (letters, digits and hyphens only)."
            case .tooLong: "A host name is at most 253 characters, 63 per label."
            }
        }
    }

    /// The host name in canonical form (lower case, no trailing dot), or why it is not one.
    public static func normalize(_ input: String) -> Result<String, Problem> {
        var host = input.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        if host.isEmpty { return .failure(.empty) }
        if host.contains("://") || host.contains("/") || host.contains(":") || host.contains("[") {
            // A colon is either a port or an IPv6 address; neither is a host name.
            return .failure(host.filter { $0 == ":" }.count > 1 || host.hasPrefix("[") ? .isAddress : .hasPort)
        }
        if host.utf8.count > 253 { return .failure(.tooLong) }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count == 4, labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { return .failure(.isAddress) }
        guard labels.count >= 2 else { return .failure(.notAName) }
        for label in labels {
            if label.utf8.count > 63 { return .failure(.tooLong) }
            guard !label.isEmpty, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
                return .failure(.notAName)
            }
        }
        // The top-level label is never all digits (that would be a malformed address).
        if labels.last!.allSatisfy(\.isNumber) { return .failure(.isAddress) }
        return .success(host)
    }
}
