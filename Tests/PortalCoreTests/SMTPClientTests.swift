import Foundation
import Glibc
import Synchronization
import Testing
@testable import PortalCore

/// The SMTP client against a scripted relay on 127.0.0.1.
@Suite struct SMTPClientTests {
    /// A one-connection SMTP relay that records what it is sent.
    final class Recorder: Sendable {
        let lines = Mutex<[String]>([])
    }

    final class FakeRelay: Sendable {
        let port: Int
        let recorder = Recorder()
        private let listener: Int32

        init(replies: [String: String] = [:]) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.listener = listener
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
            }
            listen(listener, 1)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
            let recorder = self.recorder
            Thread.detachNewThread {
                let fd = accept(listener, nil, nil)
                defer { close(fd) }
                func reply(_ text: String) { _ = text.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
                reply("220 fake ESMTP\r\n")
                var buffer = ""
                var inData = false
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = recv(fd, &chunk, chunk.count, 0)
                    if count <= 0 { return }
                    buffer += String(decoding: chunk[0..<count], as: UTF8.self)
                    while let range = buffer.range(of: inData ? "\r\n.\r\n" : "\r\n") {
                        let line = String(buffer[..<range.lowerBound])
                        buffer.removeSubrange(..<range.upperBound)
                        recorder.lines.withLock { $0.append(line) }
                        if inData { inData = false; reply("250 queued\r\n"); continue }
                        let verb = String(line.prefix(4)).uppercased()
                        if let custom = replies[verb] { reply(custom + "\r\n"); continue }
                        switch verb {
                        case "EHLO": reply("250-fake\r\n250 8BITMIME\r\n")
                        case "DATA": inData = true; reply("354 go ahead\r\n")
                        case "QUIT": reply("221 bye\r\n"); return
                        default: reply("250 ok\r\n")
                        }
                    }
                }
            }
        }
        deinit { close(listener) }
    }

    @Test func sendsAMessageThroughTheDialogue() throws {
        let relay = try FakeRelay()
        let client = try SMTPClient(url: "smtp://127.0.0.1:\(relay.port)")
        let message = EmailMessage(from: "portal@example.com", to: "ada@example.com", subject: "Welcome — Ada", body: "Hello\n.hidden dot\nBye")
        try client.send(message, date: Date(timeIntervalSince1970: 0), messageID: "1@portal")
        usleep(50_000)
        let lines = relay.recorder.lines.withLock { $0 }
        #expect(lines.first == "EHLO partnerportal.local")
        #expect(lines.contains("MAIL FROM:<portal@example.com>"))
        #expect(lines.contains("RCPT TO:<ada@example.com>"))
        let data = try #require(lines.first { $0.hasPrefix("From:") })
        #expect(data.contains("Subject: =?UTF-8?B?"))
        #expect(data.contains("\r\n\r\nHello\r\n..hidden dot\r\nBye"))
        #expect(data.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
    }

    @Test func aRejectedRecipientIsAClearError() throws {
        let relay = try FakeRelay(replies: ["RCPT": "550 no such user"])
        let client = try SMTPClient(url: "smtp://127.0.0.1:\(relay.port)")
        #expect(throws: SMTPClient.Failure(description: "SMTP: expected 250, got 550 no such user")) {
            try client.send(EmailMessage(from: "a@example.com", to: "b@example.com", subject: "s", body: "b"), messageID: "x@y")
        }
    }

    @Test func badURLsAndInjectedAddressesAreRefused() {
        #expect(throws: SMTPClient.Failure.self) { try SMTPClient(url: "http://mail:25") }
        #expect(throws: SMTPClient.Failure.self) { try SMTPClient(url: "smtp://") }
        #expect((try? SMTPClient(url: "smtp://mail.local"))?.port == 25)
        let evil = EmailMessage(from: "a@example.com", to: "b@example.com>\r\nRCPT TO:<c@example.com", subject: "s", body: "b")
        #expect(throws: EmailMessage.Invalid.self) { try evil.validated() }
    }
}
