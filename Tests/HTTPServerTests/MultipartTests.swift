import Foundation
import Testing
@testable import HTTPServer

/// One part of a test body.
private enum TestPart {
    case field(String, String)
    case file(field: String, filename: String, type: String?, content: [UInt8])
}

private let boundary = "----TestBoundary7MA4YWxk"
private let contentType = "multipart/form-data; boundary=\(boundary)"

/// Builds a body the way browsers do: no preamble, CRLF line ends, a trailing CRLF after the close delimiter.
private func multipartBody(_ parts: [TestPart], preamble: String? = nil, epilogue: String = "\r\n") -> [UInt8] {
    var out: [UInt8] = []
    if let preamble { out += Array(preamble.utf8) + Array("\r\n".utf8) }
    for part in parts {
        out += Array("--\(boundary)\r\n".utf8)
        switch part {
        case .field(let name, let value):
            out += Array("Content-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)".utf8)
        case .file(let field, let filename, let type, let content):
            out += Array("Content-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\n".utf8)
            if let type { out += Array("Content-Type: \(type)\r\n".utf8) }
            out += Array("\r\n".utf8) + content
        }
        out += Array("\r\n".utf8)
    }
    out += Array("--\(boundary)--".utf8) + Array(epilogue.utf8)
    return out
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Runs `body` with a fresh, empty upload directory and removes it afterwards.
private func withUploadDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = NSTemporaryDirectory() + "multipart-tests-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

private func directoryContents(_ path: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
}

private func contents(of path: String) -> [UInt8] {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
}

/// Decodes `body` fed in the given chunk sizes (the last size repeats until the body is used up).
private func decode(_ body: [UInt8], chunkSizes: [Int], limits: MultipartLimits = MultipartLimits(),
                    directory: String) throws -> MultipartForm {
    try MultipartForm.decode(boundary: boundary, limits: limits, uploadDirectory: directory) { feed in
        try body.withUnsafeBufferPointer { buffer in
            var offset = 0
            var sizeIndex = 0
            while offset < buffer.count {
                let size = max(1, chunkSizes[min(sizeIndex, chunkSizes.count - 1)])
                sizeIndex += 1
                let end = min(buffer.count, offset + size)
                try feed(UnsafeBufferPointer(rebasing: buffer[offset..<end]))
                offset = end
            }
        }
    }
}

/// A comparable summary of a form: fields, then each file's metadata and content read back from disk.
private func summary(_ form: MultipartForm) -> [String] {
    form.fields.map { "field \($0.name)=\($0.value)" }
        + form.files.map { "file \($0.fieldName) \($0.filename) \($0.contentType) \($0.size) \(contents(of: $0.path))" }
}

private func expectHTTPError(_ status: HTTPStatus, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(status.code), but nothing was thrown")
    } catch let error as HTTPError {
        #expect(error.status == status, "\(error)")
    } catch {
        Issue.record("expected HTTPError \(status.code), got \(error)")
    }
}

@Suite struct MultipartTests {
    // MARK: Decoding

    @Test func decodesTextFieldsInOrder() throws {
        try withUploadDirectory { (directory) throws in
            let body = multipartBody([.field("name", "Ada Lovelace"), .field("tag", "one"), .field("tag", "two"),
                                      .field("note", "héllo ✓")])
            let form = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: directory)
            #expect(form.fields.map(\.name) == ["name", "tag", "tag", "note"])
            #expect(form["name"] == "Ada Lovelace")
            #expect(form.fields.values(for: "tag") == ["one", "two"])
            #expect(form["note"] == "héllo ✓")
            #expect(form.files.isEmpty)
            #expect(directoryContents(directory).isEmpty)
        }
    }

    @Test func emptyFormAndEmptyField() throws {
        try withUploadDirectory { (directory) throws in
            let empty = try MultipartForm.decode(body: .bytes(multipartBody([])), contentType: contentType, uploadDirectory: directory)
            #expect(empty.fields.isEmpty && empty.files.isEmpty)
            let form = try MultipartForm.decode(body: .bytes(multipartBody([.field("blank", "")])), contentType: contentType,
                                                uploadDirectory: directory)
            #expect(form["blank"] == "")
        }
    }

    @Test func streamsFileToDisk() throws {
        try withUploadDirectory { (directory) throws in
            let content = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let body = multipartBody([.field("title", "Logo"),
                                      .file(field: "logo", filename: "logo.png", type: "image/png", content: content)])
            let form = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: directory)
            #expect(form["title"] == "Logo")
            let file = try #require(form.file("logo"))
            #expect(file.fieldName == "logo")
            #expect(file.filename == "logo.png")
            #expect(file.contentType == "image/png")
            #expect(file.size == 5000)
            #expect(file.path.hasPrefix(directory + "/"))
            #expect(contents(of: file.path) == content)
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            form.removeFiles()
            #expect(directoryContents(directory).isEmpty)
        }
    }

    @Test func fileWithoutContentTypeIsOctetStreamAndEmptyFileInputIsSkipped() throws {
        try withUploadDirectory { (directory) throws in
            let body = multipartBody([.file(field: "a", filename: "a.bin", type: nil, content: [1, 2, 3]),
                                      .file(field: "b", filename: "", type: "application/octet-stream", content: []),
                                      .file(field: "c", filename: "empty.txt", type: "text/plain", content: [])])
            let form = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: directory)
            #expect(form.files.map(\.fieldName) == ["a", "c"])
            #expect(form.file("a")?.contentType == "application/octet-stream")
            #expect(form.file("c")?.size == 0)
            #expect(directoryContents(directory).count == 2)
            form.removeFiles()
        }
    }

    @Test func sameResultWhereverTheBodyIsSplit() throws {
        try withUploadDirectory { (directory) throws in
            let body = multipartBody([.field("a", "first\r\nline"),
                                      .file(field: "f", filename: "x.txt", type: "text/plain", content: bytes("ab\r\n--\r\rcd\r")),
                                      .field("b", "")],
                                     preamble: "ignore me", epilogue: "\r\ntrailing")
            let whole = try decode(body, chunkSizes: [body.count], directory: directory)
            let expected = summary(whole)
            whole.removeFiles()
            #expect(expected.count == 3)
            for split in 1..<body.count {
                let form = try decode(body, chunkSizes: [split, body.count], directory: directory)
                #expect(summary(form) == expected, "split at \(split)")
                form.removeFiles()
            }
            for size in [1, 2, 3, 5, 7, 13] {
                let form = try decode(body, chunkSizes: [size], directory: directory)
                #expect(summary(form) == expected, "chunks of \(size)")
                form.removeFiles()
            }
            #expect(directoryContents(directory).isEmpty)
        }
    }

    @Test func boundaryLikeBytesInsideContent() throws {
        try withUploadDirectory { (directory) throws in
            let tricky = [
                "--\(boundary)",                          // the dash-boundary without the CRLF before it
                "x\n--\(boundary)",                       // after a bare LF
                "x\r--\(boundary)",                       // after a bare CR
                "x\r\n--\(boundary.dropLast())",          // a delimiter missing its last character
                "x\r\n-\(boundary)",                      // one dash short
                "\r\n--", "\r\n", "\r", "\r\r\n-", "ends with CR\r", "ends with CRLF\r\n", "\r\n\r\n",
                "x\r\n--\(boundary.dropLast())\r\n--\(boundary.dropLast(2))",
            ]
            let content = bytes("\r\n--\(boundary.prefix(10))") + [0, 0xFF, 0x0D] + bytes("--\(boundary)--")
            let body = multipartBody(tricky.enumerated().map { .field("f\($0.offset)", $0.element) }
                                     + [.file(field: "bin", filename: "b", type: nil, content: content)])
            for sizes in [[body.count], [1], [4], [9]] {
                let form = try decode(body, chunkSizes: sizes, directory: directory)
                #expect(form.fields.map(\.value) == tricky)
                #expect(contents(of: try #require(form.file("bin")).path) == content)
                form.removeFiles()
            }
        }
    }

    @Test func crlfHandling() throws {
        try withUploadDirectory { (directory) throws in
            // Content keeps its own line ends; only the CRLF right before a delimiter belongs to the delimiter.
            let body = multipartBody([.field("text", "a\nb\r\nc\rd\r\n"), .field("leading", "\r\nx")])
            let form = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: directory)
            #expect(form["text"] == "a\nb\r\nc\rd\r\n")
            #expect(form["leading"] == "\r\nx")

            // Transport padding (spaces and tabs) after a delimiter is allowed.
            let padded = bytes("--\(boundary) \t\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nv\r\n--\(boundary)--  ")
            let paddedForm = try MultipartForm.decode(body: .bytes(padded), contentType: contentType, uploadDirectory: directory)
            #expect(paddedForm["p"] == "v")

            // A close delimiter with nothing after it (no trailing CRLF) is complete.
            let bare = bytes("--\(boundary)\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nw\r\n--\(boundary)--")
            #expect(try MultipartForm.decode(body: .bytes(bare), contentType: contentType, uploadDirectory: directory)["q"] == "w")

            // Header names are case-insensitive, whitespace around values is trimmed.
            let cased = bytes("--\(boundary)\r\ncontent-DISPOSITION:   form-data ;name=r  \r\n\r\nz\r\n--\(boundary)--\r\n")
            #expect(try MultipartForm.decode(body: .bytes(cased), contentType: contentType, uploadDirectory: directory)["r"] == "z")
        }
    }

    @Test func partHeaderLinesMustEndWithCRLF() throws {
        try withUploadDirectory { (directory) throws in
            let bareLF = bytes("--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\n\nv\r\n--\(boundary)--\r\n")
            expectHTTPError(.badRequest) {
                _ = try MultipartForm.decode(body: .bytes(bareLF), contentType: contentType, uploadDirectory: directory)
            }
            let boundaryLineLF = bytes("--\(boundary)\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--\(boundary)--\r\n")
            expectHTTPError(.badRequest) {
                _ = try MultipartForm.decode(body: .bytes(boundaryLineLF), contentType: contentType, uploadDirectory: directory)
            }
        }
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        try withUploadDirectory { (directory) throws in
            let preamble = "This is a multi-part message in MIME format.\r\n--not-the-boundary\r\n-\(boundary)"
            let body = multipartBody([.field("a", "1")], preamble: preamble,
                                     epilogue: "\r\nepilogue \r\n--\(boundary)\r\ngarbage that is never parsed")
            let form = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: directory)
            #expect(form.fields.map(\.name) == ["a"])
            #expect(form["a"] == "1")
        }
    }

    @Test func readsSpooledBodyFile() throws {
        try withUploadDirectory { (directory) throws in
            var generator = SystemRandomNumberGenerator()
            let big = (0..<(300 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let body = multipartBody([.field("kind", "report"),
                                      .file(field: "doc", filename: "report.pdf", type: "application/pdf", content: big),
                                      .file(field: "doc", filename: "small.txt", type: "text/plain", content: bytes("hi"))])
            let spool = directory + "/spooled-body"
            try Data(body).write(to: URL(fileURLWithPath: spool))
            let uploads = directory + "/uploads"
            try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: false)

            let form = try MultipartForm.decode(body: .file(path: spool, length: Int64(body.count)),
                                                contentType: contentType, uploadDirectory: uploads)
            #expect(form["kind"] == "report")
            #expect(form.files(named: "doc").map(\.filename) == ["report.pdf", "small.txt"])
            #expect(form.files[0].size == Int64(big.count))
            #expect(contents(of: form.files[0].path) == big)
            #expect(contents(of: form.files[1].path) == bytes("hi"))
            form.removeFiles()
            #expect(directoryContents(uploads).isEmpty)
        }
    }

    // MARK: Content-Type and boundary

    @Test func boundaryFromContentType() throws {
        #expect(try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try MultipartForm.boundary(fromContentType: "Multipart/Form-Data;BOUNDARY=\"a b:c?\"") == "a b:c?")
        #expect(try MultipartForm.boundary(fromContentType: "multipart/form-data; charset=utf-8; boundary=x") == "x")
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data") }
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=") }
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\"\"") }
        expectHTTPError(.badRequest) {
            _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\(String(repeating: "a", count: 71))")
        }
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\"ends \"") }
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=a\"b") }
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\"a\rb\"") }
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\"unterminated") }
        expectHTTPError(.badRequest) { _ = try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=a; boundary=b") }
        expectHTTPError(.unsupportedMediaType) { _ = try MultipartForm.boundary(fromContentType: "application/x-www-form-urlencoded") }
        expectHTTPError(.unsupportedMediaType) { _ = try MultipartForm.boundary(fromContentType: "multipart/mixed; boundary=abc") }
        #expect(try MultipartForm.boundary(fromContentType: "multipart/form-data; boundary=\(String(repeating: "a", count: 70))").count == 70)
    }

    @Test func parameterParsing() throws {
        let parsed = try #require(ParameterizedHeaderValue.parse("form-data; name=\"a;b\"; filename=\"say \\\"hi\\\".txt\"; x=y"))
        #expect(parsed.value == "form-data")
        #expect(parsed.parameter("NAME") == "a;b")
        #expect(parsed.parameter("filename") == "say \"hi\".txt")
        #expect(parsed.parameter("x") == "y")
        #expect(parsed.parameter("missing") == nil)
        #expect(ParameterizedHeaderValue.parse("form-data; filename=\"C:\\dir\\a.txt\"")?.parameter("filename") == "C:\\dir\\a.txt")
        #expect(ParameterizedHeaderValue.parse("form-data; name=\"a\"; name=\"b\"") == nil)
        #expect(ParameterizedHeaderValue.parse("form-data; name") == nil)
        #expect(ParameterizedHeaderValue.parse("form-data; name=\"a\" junk") == nil)
        #expect(ParameterizedHeaderValue.parse("form-data;; name=a;")?.parameter("name") == "a")
    }

    // MARK: Limits

    @Test func limitOnParts() throws {
        try withUploadDirectory { (directory) throws in
            let body = multipartBody((0..<3).map { .field("f\($0)", "v") })
            var limits = MultipartLimits()
            limits.maxParts = 3
            #expect(try MultipartForm.decode(body: .bytes(body), contentType: contentType, limits: limits, uploadDirectory: directory).fields.pairs.count == 3)
            limits.maxParts = 2
            expectHTTPError(.contentTooLarge) {
                _ = try MultipartForm.decode(body: .bytes(body), contentType: contentType, limits: limits, uploadDirectory: directory)
            }
        }
    }

    @Test func limitOnHeaderBytes() throws {
        try withUploadDirectory { (directory) throws in
            let body = multipartBody([.field("name", "v")])
            // `Content-Disposition: form-data; name="name"` + CRLF + CRLF.
            let headerSize = "Content-Disposition: form-data; name=\"name\"\r\n\r\n".utf8.count
            var limits = MultipartLimits()
            limits.maxHeaderBytesPerPart = headerSize
            #expect(try MultipartForm.decode(body: .bytes(body), contentType: contentType, limits: limits, uploadDirectory: directory)["name"] == "v")
            limits.maxHeaderBytesPerPart = headerSize - 1
            expectHTTPError(.contentTooLarge) {
                _ = try MultipartForm.decode(body: .bytes(body), contentType: contentType, limits: limits, uploadDirectory: directory)
            }
            // Endless header bytes without a blank line stop at the limit too.
            let endless = bytes("--\(boundary)\r\nX-Filler: ") + [UInt8](repeating: 0x61, count: 100_000)
            expectHTTPError(.contentTooLarge) {
                _ = try MultipartForm.decode(body: .bytes(endless), contentType: contentType, uploadDirectory: directory)
            }
        }
    }

    @Test func limitOnFieldSize() throws {
        try withUploadDirectory { (directory) throws in
            var limits = MultipartLimits()
            limits.maxFieldSize = 10
            let exact = multipartBody([.field("a", "0123456789")])
            #expect(try MultipartForm.decode(body: .bytes(exact), contentType: contentType, limits: limits, uploadDirectory: directory)["a"] == "0123456789")
            let over = multipartBody([.field("a", "0123456789X")])
            for sizes in [[over.count], [1], [3]] {
                expectHTTPError(.contentTooLarge) { _ = try decode(over, chunkSizes: sizes, limits: limits, directory: directory) }
            }
            // The field limit does not apply to files.
            let file = multipartBody([.file(field: "f", filename: "f.txt", type: nil, content: [UInt8](repeating: 1, count: 100))])
            let form = try MultipartForm.decode(body: .bytes(file), contentType: contentType, limits: limits, uploadDirectory: directory)
            #expect(form.file("f")?.size == 100)
            form.removeFiles()
        }
    }

    @Test func limitOnFileSize() throws {
        try withUploadDirectory { (directory) throws in
            var limits = MultipartLimits()
            limits.maxFileSize = 1000
            let exact = multipartBody([.file(field: "f", filename: "f", type: nil, content: [UInt8](repeating: 7, count: 1000))])
            let form = try MultipartForm.decode(body: .bytes(exact), contentType: contentType, limits: limits, uploadDirectory: directory)
            #expect(form.file("f")?.size == 1000)
            form.removeFiles()
            let over = multipartBody([.file(field: "f", filename: "f", type: nil, content: [UInt8](repeating: 7, count: 1001))])
            expectHTTPError(.contentTooLarge) {
                _ = try MultipartForm.decode(body: .bytes(over), contentType: contentType, limits: limits, uploadDirectory: directory)
            }
            #expect(directoryContents(directory).isEmpty)
        }
    }

    @Test func limitOnTotalSize() throws {
        try withUploadDirectory { (directory) throws in
            let body = multipartBody([.field("a", String(repeating: "x", count: 500))])
            var limits = MultipartLimits()
            limits.maxTotalSize = Int64(body.count)
            #expect(try MultipartForm.decode(body: .bytes(body), contentType: contentType, limits: limits, uploadDirectory: directory)["a"]?.count == 500)
            limits.maxTotalSize = Int64(body.count - 1)
            // Refused from the declared size before any parsing…
            expectHTTPError(.contentTooLarge) {
                _ = try MultipartForm.decode(body: .bytes(body), contentType: contentType, limits: limits, uploadDirectory: directory)
            }
            // …and while streaming, for a source that does not know its size.
            expectHTTPError(.contentTooLarge) { _ = try decode(body, chunkSizes: [64], limits: limits, directory: directory) }
            // The epilogue counts too.
            let longEpilogue = multipartBody([.field("a", "1")], epilogue: String(repeating: "e", count: 10_000))
            limits.maxTotalSize = 1000
            expectHTTPError(.contentTooLarge) { _ = try decode(longEpilogue, chunkSizes: [100], limits: limits, directory: directory) }
        }
    }

    // MARK: Malformed bodies

    @Test(arguments: [
        ("empty body", ""),
        ("no boundary at all", "just some text\r\n"),
        ("only a preamble line", "preamble\r\n--\(boundary)"),
        ("missing close delimiter", "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue"),
        ("truncated after a delimiter", "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue\r\n--\(boundary)"),
        ("truncated inside headers", "--\(boundary)\r\nContent-Disposition: form-da"),
        ("single dash close", "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--\(boundary)-\r\n"),
        ("boundary followed by text", "--\(boundary)X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--\(boundary)--"),
        ("no Content-Disposition", "--\(boundary)\r\nContent-Type: text/plain\r\n\r\nv\r\n--\(boundary)--"),
        ("no headers at all", "--\(boundary)\r\n\r\nv\r\n--\(boundary)--"),
        ("no name", "--\(boundary)\r\nContent-Disposition: form-data; filename=\"a.txt\"\r\n\r\nv\r\n--\(boundary)--"),
        ("empty name", "--\(boundary)\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--\(boundary)--"),
        ("not form-data", "--\(boundary)\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--\(boundary)--"),
        ("two dispositions", "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nv\r\n--\(boundary)--"),
        ("repeated parameter", "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nv\r\n--\(boundary)--"),
        ("unterminated quote", "--\(boundary)\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--\(boundary)--"),
        ("header without colon", "--\(boundary)\r\nContent-Disposition form-data; name=\"a\"\r\n\r\nv\r\n--\(boundary)--"),
        ("folded header", "--\(boundary)\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nv\r\n--\(boundary)--"),
        ("space in header name", "--\(boundary)\r\nContent Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--\(boundary)--"),
    ])
    func malformedBodiesAreBadRequests(_ testCase: (String, String)) throws {
        try withUploadDirectory { (directory) throws in
            for sizes in [[max(1, testCase.1.utf8.count)], [1]] {
                do {
                    _ = try decode(bytes(testCase.1), chunkSizes: sizes, directory: directory)
                    Issue.record("\(testCase.0): expected 400")
                } catch let error as HTTPError {
                    #expect(error.status == .badRequest, "\(testCase.0): \(error)")
                } catch {
                    Issue.record("\(testCase.0): \(error)")
                }
            }
            #expect(directoryContents(directory).isEmpty)
        }
    }

    @Test func textFieldMustBeUTF8() throws {
        try withUploadDirectory { (directory) throws in
            let body = bytes("--\(boundary)\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n") + [0xFF, 0xFE]
                + bytes("\r\n--\(boundary)--\r\n")
            expectHTTPError(.badRequest) {
                _ = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: directory)
            }
        }
    }

    @Test func malformedContentTypeOnDecode() throws {
        try withUploadDirectory { (directory) throws in
            let body = multipartBody([.field("a", "1")])
            expectHTTPError(.badRequest) {
                _ = try MultipartForm.decode(body: .bytes(body), contentType: "multipart/form-data", uploadDirectory: directory)
            }
            expectHTTPError(.unsupportedMediaType) {
                _ = try MultipartForm.decode(body: .bytes(body), contentType: "text/plain", uploadDirectory: directory)
            }
            // A boundary that does not match the body's means no part is ever found.
            expectHTTPError(.badRequest) {
                _ = try MultipartForm.decode(body: .bytes(body), contentType: "multipart/form-data; boundary=other", uploadDirectory: directory)
            }
        }
    }

    // MARK: Cleanup

    @Test func removesWrittenFilesOnError() throws {
        try withUploadDirectory { (directory) throws in
            let firstFile = TestPart.file(field: "a", filename: "a.bin", type: nil, content: [UInt8](repeating: 1, count: 3000))
            var limits = MultipartLimits()
            limits.maxFileSize = 2000
            let cases: [(HTTPStatus, [UInt8], MultipartLimits)] = [
                // A later file too large, while it is being written.
                (.contentTooLarge, multipartBody([.file(field: "a", filename: "a", type: nil, content: [1, 2]),
                                                  .file(field: "b", filename: "b", type: nil, content: [UInt8](repeating: 1, count: 3000))]), limits),
                // A body cut off in the middle of a file.
                (.badRequest, Array(multipartBody([firstFile]).dropLast(40)), MultipartLimits()),
                // A malformed part after a complete file.
                (.badRequest, Array(multipartBody([firstFile]).dropLast(4))
                    + bytes("\r\nContent-Type: text/plain\r\n\r\nx\r\n--\(boundary)--"), MultipartLimits()),
                // Too many parts after two files.
                (.contentTooLarge, multipartBody([firstFile, firstFile, .field("c", "3")]), MultipartLimits(maxParts: 2)),
            ]
            for (status, body, caseLimits) in cases {
                for sizes in [[body.count], [1000], [7]] {
                    expectHTTPError(status) { _ = try decode(body, chunkSizes: sizes, limits: caseLimits, directory: directory) }
                    #expect(directoryContents(directory).isEmpty, "left behind: \(directoryContents(directory))")
                }
            }
        }
    }

    @Test func unwritableUploadDirectoryIsServerError() throws {
        let body = multipartBody([.file(field: "a", filename: "a", type: nil, content: [1])])
        expectHTTPError(.internalServerError) {
            _ = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: "/nonexistent-\(UUID().uuidString)")
        }
    }

    // MARK: Filenames

    @Test func filenamesAreSanitized() throws {
        #expect(UploadedFile.sanitizedFilename("report.pdf") == "report.pdf")
        #expect(UploadedFile.sanitizedFilename("../../etc/passwd") == "passwd")
        #expect(UploadedFile.sanitizedFilename("/absolute/path/x.png") == "x.png")
        #expect(UploadedFile.sanitizedFilename("C:\\Users\\ada\\My Doc.docx") == "My Doc.docx")
        #expect(UploadedFile.sanitizedFilename("a\u{0}b\u{1F}c\u{7F}.txt") == "abc.txt")
        #expect(UploadedFile.sanitizedFilename("evil\u{202E}txt.exe") == "eviltxt.exe")
        #expect(UploadedFile.sanitizedFilename("..") == "")
        #expect(UploadedFile.sanitizedFilename("dir/") == "")
        #expect(UploadedFile.sanitizedFilename("  spaced.txt  ") == "spaced.txt")
        #expect(UploadedFile.sanitizedFilename("résumé ✓.pdf") == "résumé ✓.pdf")
        let long = String(repeating: "é", count: 200)
        #expect(UploadedFile.sanitizedFilename(long).utf8.count == 254)

        try withUploadDirectory { (directory) throws in
            let body = multipartBody([.file(field: "f", filename: "../../../tmp/evil.sh", type: "text/x-sh", content: bytes("#!"))])
            let form = try MultipartForm.decode(body: .bytes(body), contentType: contentType, uploadDirectory: directory)
            let file = try #require(form.file("f"))
            #expect(file.filename == "evil.sh")
            #expect(file.path.hasPrefix(directory + "/upload-"))
            #expect(directoryContents(directory).count == 1)
            form.removeFiles()
        }
    }
}
