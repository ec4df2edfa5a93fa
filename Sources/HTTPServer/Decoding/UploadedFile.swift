/// A file part of a `multipart/form-data` body, already written to a temporary file on disk.
public struct UploadedFile: Sendable, Equatable {
    /// The form field the file was sent for.
    public var fieldName: String
    /// The client's filename reduced to a safe base name (see `sanitizedFilename`); may be empty.
    /// Display it, never use it as a path: the file lives at `path`.
    public var filename: String
    /// The part's `Content-Type` as the client declared it (not verified), `application/octet-stream` if none.
    public var contentType: String
    /// Where the content was written: a fresh file in the upload directory, named by the server.
    public var path: String
    public var size: Int64

    public init(fieldName: String, filename: String, contentType: String, path: String, size: Int64) {
        self.fieldName = fieldName
        self.filename = filename
        self.contentType = contentType
        self.path = path
        self.size = size
    }

    /// The last path component of a client-supplied filename, split on both `/` and `\` (browsers on
    /// Windows once sent full paths), without control characters (NUL included) or bidirectional overrides
    /// (which make `exe.txt` display as `txt.exe`), surrounding whitespace, or a bare `.`/`..`; cut to at most
    /// 255 UTF-8 bytes on a character boundary.
    static func sanitizedFilename(_ raw: String) -> String {
        let base = raw.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last.map(String.init) ?? ""
        var cleaned = String(String.UnicodeScalarView(base.unicodeScalars.filter { !isUnsafe($0) }))
        cleaned = String(Substring(cleaned).trimmingWhitespace())
        if cleaned == "." || cleaned == ".." { return "" }
        if cleaned.utf8.count > 255 {
            var cut = ""
            for character in cleaned {
                if cut.utf8.count + character.utf8.count > 255 { break }
                cut.append(character)
            }
            cleaned = cut
        }
        return cleaned
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
