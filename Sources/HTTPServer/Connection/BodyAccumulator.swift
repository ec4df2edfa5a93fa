import Foundation
import Glibc

/// Collects a request body: in memory while small, in a temporary file once it passes the spool threshold,
/// so a large upload never sits whole in memory.
struct BodyAccumulator {
    private(set) var count: Int64 = 0
    private var memory: [UInt8] = []
    private var spoolFD: Int32 = -1
    private var spoolPath: String?
    private var handedOver = false

    struct SpoolError: Error, CustomStringConvertible {
        let description: String
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, spoolThreshold: Int64, directory: String) throws {
        count += Int64(bytes.count)
        if spoolFD < 0 && count <= spoolThreshold {
            memory.append(contentsOf: bytes)
            return
        }
        if spoolFD < 0 {
            var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            template.append(contentsOf: "portal-body-XXXXXX".utf8CString)
            let fd = mkstemp(&template)
            guard fd >= 0 else { throw SpoolError(description: "mkstemp: \(String(cString: strerror(errno)))") }
            spoolFD = fd
            spoolPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            try memory.withUnsafeBufferPointer { try writeAll($0, to: fd) }
            memory = []
        }
        try writeAll(bytes, to: spoolFD)
    }

    private func writeAll(_ bytes: UnsafeBufferPointer<UInt8>, to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SpoolError(description: "write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// The body for the request. A spooled file stays on disk until `discard()` after the response.
    mutating func finish() -> RequestBody {
        if let spoolPath {
            Glibc.close(spoolFD)
            spoolFD = -1
            return .file(path: spoolPath, length: count)
        }
        return memory.isEmpty ? .empty : .bytes(memory)
    }

    /// Removes any temporary file and forgets the body.
    mutating func discard() {
        if spoolFD >= 0 { Glibc.close(spoolFD); spoolFD = -1 }
        if let spoolPath { unlink(spoolPath) }
        spoolPath = nil
        memory = []
        count = 0
    }
}
