/// Size limits the request parser enforces while it reads, before anything is buffered past them.
public struct ParserLimits: Sendable, Equatable {
    /// Longest request line (method, target and version). Past it: `414`.
    public var maxRequestLineLength = 8 * 1024
    /// Largest header block (or trailer block), counted from the first header byte. Past it: `431`.
    public var maxHeaderBytes = 16 * 1024
    /// Most header fields (or trailer fields). Past it: `431`.
    public var maxHeaderCount = 100
    /// Longest chunk extension on one chunk-size line. Past it: `400`.
    public var maxChunkExtensionLength = 1024
    /// RFC 9112 §3.2: an HTTP/1.1 request without exactly one `Host` is a `400`.
    /// Off only for the llhttp vectors, many of which omit it.
    public var requireHost = true

    public init() {}
}
