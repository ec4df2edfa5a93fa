/// Size and count limits for decoding a `multipart/form-data` body; past any of them the decoder throws `413`.
public struct MultipartLimits: Sendable, Equatable {
    /// Most parts (fields and files together). Each part costs a header parse and maybe a file.
    public var maxParts = 100
    /// Largest header block of one part, CRLFs included.
    public var maxHeaderBytesPerPart = 8 * 1024
    /// Largest text field. Text fields are kept in memory, so this stays small.
    public var maxFieldSize = 64 * 1024
    /// Largest single file. Files are streamed to disk, so this bounds disk use, not memory.
    public var maxFileSize: Int64 = 25 << 20
    /// Largest whole body, boundaries and headers included.
    public var maxTotalSize: Int64 = 32 << 20

    public init(maxParts: Int = 100, maxHeaderBytesPerPart: Int = 8 * 1024, maxFieldSize: Int = 64 * 1024,
                maxFileSize: Int64 = 25 << 20, maxTotalSize: Int64 = 32 << 20) {
        self.maxParts = maxParts
        self.maxHeaderBytesPerPart = maxHeaderBytesPerPart
        self.maxFieldSize = maxFieldSize
        self.maxFileSize = maxFileSize
        self.maxTotalSize = maxTotalSize
    }
}
