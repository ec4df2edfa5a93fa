import Glibc

/// A decoded `multipart/form-data` body (RFC 7578): text fields in memory, in order, and file parts already
/// written to temporary files. Call `removeFiles()` once the files have been moved or are no longer needed.
public struct MultipartForm: Sendable {
    public var fields: FormParameters
    public var files: [UploadedFile]

    public init(fields: FormParameters = FormParameters(pairs: []), files: [UploadedFile] = []) {
        self.fields = fields
        self.files = files
    }

    /// The first text field called `name`.
    public subscript(name: String) -> String? { fields[name] }

    /// The first file sent for field `name`.
    public func file(_ name: String) -> UploadedFile? { files.first { $0.fieldName == name } }

    public func files(named name: String) -> [UploadedFile] { files.filter { $0.fieldName == name } }

    /// Deletes every temporary file of this form (those already moved away are skipped silently).
    public func removeFiles() {
        for file in files { unlink(file.path) }
    }

    /// Decodes `body`, reading a spooled body file in 64 KiB pieces and writing file parts to new files in
    /// `uploadDirectory` (which must exist) as they arrive.
    ///
    /// Throws `HTTPError`: `415` when `contentType` is not `multipart/form-data`, `400` for a missing or
    /// invalid boundary or a malformed body, `413` past any of `limits`, `500` when a file cannot be written.
    /// On any error, every file written so far is removed first.
    public static func decode(body: RequestBody, contentType: String, limits: MultipartLimits = MultipartLimits(),
                              uploadDirectory: String) throws -> MultipartForm {
        let boundary = try boundary(fromContentType: contentType)
        if body.count > limits.maxTotalSize {
            throw HTTPError(.contentTooLarge, "The form is larger than \(limits.maxTotalSize) bytes")
        }
        return try decode(boundary: boundary, limits: limits, uploadDirectory: uploadDirectory) { feed in
            switch body {
            case .empty:
                break
            case .bytes(let bytes):
                try bytes.withUnsafeBufferPointer { try feed($0) }
            case .file(let path, _):
                try readChunks(of: path, feed)
            }
        }
    }

    /// Decodes whatever `source` feeds, in as many chunks as it likes. Split out so tests can cut a body
    /// anywhere.
    static func decode(boundary: String, limits: MultipartLimits, uploadDirectory: String,
                       source: ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void) throws -> MultipartForm {
        var parser = MultipartParser(boundary: boundary, limits: limits)
        var builder = MultipartFormBuilder(limits: limits, uploadDirectory: uploadDirectory)
        do {
            try source { chunk in
                try parser.feed(chunk) { try builder.handle($0) }
            }
            try parser.finish()
            return builder.finish()
        } catch {
            builder.abort()
            throw error
        }
    }

    /// The boundary parameter of a `multipart/form-data` content type, checked against RFC 2046 §5.1.1:
    /// 1 to 70 characters from its safe set, not ending in a space.
    static func boundary(fromContentType contentType: String) throws -> String {
        guard let parsed = ParameterizedHeaderValue.parse(contentType) else {
            throw HTTPError(.badRequest, "Malformed Content-Type")
        }
        guard parsed.value.equalsIgnoringCase("multipart/form-data") else {
            throw HTTPError(.unsupportedMediaType, "Expected a multipart/form-data body")
        }
        guard let boundary = parsed.parameter("boundary") else {
            throw HTTPError(.badRequest, "The multipart Content-Type has no boundary")
        }
        guard (1...70).contains(boundary.utf8.count), boundary.utf8.allSatisfy(isBoundaryCharacter),
              boundary.utf8.last != 0x20 else {
            throw HTTPError(.badRequest, "The multipart boundary is invalid")
        }
        return boundary
    }

    /// bchars: DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." / "/" / ":" / "=" / "?" / SPACE.
    static func isBoundaryCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: "'()+_,-./:=? ".utf8.contains(byte)
        }
    }

    private static func readChunks(of path: String, _ feed: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HTTPError(.internalServerError, "Request body file vanished") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw HTTPError(.internalServerError, "Could not read the request body")
            }
            if count == 0 { return }
            try buffer.withUnsafeBufferPointer { try feed(UnsafeBufferPointer(rebasing: $0[0..<count])) }
        }
    }
}
