/// The path of a static-file request, percent-decoded and checked one segment at a time.
struct StaticPath: Equatable {
    /// Decoded, non-empty segments; none is `.`/`..`, hidden, or contains `/`, `\` or NUL.
    var segments: [String]
    /// The path ended in `/`, so only a directory (through its `index.html`) may answer it.
    var trailingSlash: Bool

    /// Decodes `rawPath` (still percent-encoded, without the query). Nil when it must not be served:
    /// not starting with `/`, a malformed escape or invalid UTF-8, a segment that decodes to something with
    /// `/` (an encoded `%2F` would otherwise smuggle a `..` past the segment check), `\` or NUL, or a segment
    /// that starts with `.` — which refuses `.` and `..` as well as hidden files such as `.env` or `.git`.
    ///
    /// Segments are split before decoding, and decoded exactly once, so `%2e%2e` is caught as `..` and
    /// `%252e%252e` stays the harmless literal name `%2e%2e`.
    init?(_ rawPath: Substring) {
        guard rawPath.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for raw in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            guard let segment = PercentDecoding.decode(raw), !segment.isEmpty else { return nil }
            guard segment.utf8.first != 0x2E,
                  !segment.utf8.contains(where: { $0 == 0x2F || $0 == 0x5C || $0 == 0 }) else { return nil }
            segments.append(segment)
        }
        self.segments = segments
        trailingSlash = rawPath.hasSuffix("/")
    }
}
