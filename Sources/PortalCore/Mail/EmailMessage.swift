import Foundation

/// A plain-text e-mail, formatted for the wire (RFC 5322) by `rendered(date:messageID:)`.
public struct EmailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String

    public init(from: String, to: String, subject: String, body: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Rejects addresses that could inject SMTP commands or headers (CR, LF, angle brackets).
    public func validated() throws -> EmailMessage {
        for (name, address) in [("from", from), ("to", to)] {
            guard Self.isPlausibleAddress(address) else { throw Invalid(description: "Invalid \(name) address: \(address)") }
        }
        return self
    }

    static func isPlausibleAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && address.utf8.count <= 254
            && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"<>()[],;:\\\"".unicodeScalars.contains($0) }
    }

    /// The message as SMTP `DATA` carries it: CRLF line endings, a UTF-8 subject encoded per RFC 2047,
    /// and lines starting with a dot doubled (RFC 5321 §4.5.2). The terminating `.` line is not included.
    public func rendered(date: Date, messageID: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let subjectLine = subject.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
            ? subject
            : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let headers = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(subjectLine.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " "))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        return (headers + [""] + lines).joined(separator: "\r\n")
    }
}
