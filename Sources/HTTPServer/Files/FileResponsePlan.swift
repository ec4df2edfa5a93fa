/// What a static-file request gets, decided from its conditional and range headers alone (RFC 9110 §13.2.2
/// order: `If-None-Match`, else `If-Modified-Since`; then `If-Range` and `Range`).
enum FileResponsePlan: Equatable {
    case notModified
    case whole
    case partial(ByteRange)
    case unsatisfiable

    /// `etag` and `lastModified` (whole seconds) describe the representation that would be sent.
    static func decide(method: HTTPMethod, headers: HTTPHeaders, size: Int64, etag: String, lastModified: Int64) -> FileResponsePlan {
        let noneMatch = headers.values("if-none-match")
        if !noneMatch.isEmpty {
            if EntityTag.noneMatchHits(noneMatch, current: etag) { return .notModified }
        } else if let since = headers.first("if-modified-since").flatMap(HTTPDate.parse), lastModified <= since {
            return .notModified
        }

        // Range is defined for GET only (RFC 9110 §14.2); two Range headers are as unusable as a bad one.
        let ranges = headers.values("range")
        guard method == .get, ranges.count == 1 else { return .whole }
        if let ifRange = headers.first("if-range"), !ifRangeHolds(ifRange, etag: etag, lastModified: lastModified) {
            return .whole
        }
        switch ByteRange.select(ranges[0], size: size) {
        case .whole: return .whole
        case .partial(let range): return .partial(range)
        case .unsatisfiable: return .unsatisfiable
        }
    }

    /// `If-Range` holds for a strongly matching entity tag, or a date equal to `Last-Modified` (RFC 9110
    /// §13.1.5). Anything else, unparseable values included, means "send it all".
    static func ifRangeHolds(_ value: String, etag: String, lastModified: Int64) -> Bool {
        let trimmed = String(Substring(value).trimmingWhitespace())
        if trimmed.hasPrefix("\"") || trimmed.hasPrefix("W/") {
            return EntityTag.strongMatch(trimmed, current: etag)
        }
        return HTTPDate.parse(trimmed) == lastModified
    }
}
