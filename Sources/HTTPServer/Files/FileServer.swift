import Glibc

/// Serves the files under a folder for GET and HEAD: content types, `ETag`/`Last-Modified` with `304`,
/// single byte ranges, precompressed `.gz` siblings, and a path check that keeps every request inside the
/// folder. `respond` returns nil for anything it will not serve, so a router falls through to its `404`.
///
/// Refused paths (traversal, encoded slashes, NUL, backslashes, hidden files, symlinks out of the folder)
/// also get nil rather than a `400`: a `404` tells a prober nothing about what exists.
public struct FileServer: Sendable {
    public let root: String
    public let cacheControl: String

    /// Bodies shorter than this are read at once; longer ones are streamed.
    static let smallBodyLimit: Int64 = 256 << 10
    static let pieceSize = 64 << 10

    public init(root: String, cacheControl: String = "public, max-age=3600") {
        self.root = root
        self.cacheControl = cacheControl
    }

    /// The response to a GET or HEAD of a servable file (`200`, `206`, `304` or `416`); nil otherwise.
    public func respond(to request: Request) -> Response? {
        guard request.method == .get || request.method == .head else { return nil }
        // The root is resolved per request, so a folder swapped by a deploy (or created later) just works.
        guard let path = StaticPath(request.path), let rootPath = Self.realPath(root),
              let filePath = Self.locate(path, rootPath: rootPath),
              let identity = OpenFile.open(filePath) else { return nil }

        let headers = request.headers
        let sibling = Self.resolveInside(filePath + ".gz", rootPath: rootPath).flatMap(OpenFile.open)
        // Ranges are answered from the identity bytes: offsets into a gzip stream are of no use to a client.
        let isRangeRequest = request.method == .get && headers.contains("range")
        let gzip = isRangeRequest ? nil : sibling.flatMap { AcceptEncoding.allowsGzip(headers.values("accept-encoding")) ? $0 : nil }
        let file = gzip ?? identity
        let etag = EntityTag.make(size: file.size, modificationNanoseconds: file.modificationNanoseconds,
                                  variant: gzip == nil ? nil : "gz")

        var responseHeaders = HTTPHeaders()
        // Caches must keep the two encodings apart whenever there are two.
        if sibling != nil { responseHeaders.append("Vary", "Accept-Encoding") }

        let plan = FileResponsePlan.decide(method: request.method, headers: headers, size: file.size, etag: etag,
                                           lastModified: file.modificationSeconds)
        if plan == .unsatisfiable {
            responseHeaders.append("Content-Range", "bytes */\(file.size)")
            responseHeaders.append("Accept-Ranges", "bytes")
            return Response(status: .rangeNotSatisfiable, headers: responseHeaders)
        }
        responseHeaders.append("ETag", etag)
        responseHeaders.append("Last-Modified", HTTPDate.format(file.modificationSeconds))
        responseHeaders.append("Cache-Control", cacheControl)
        if plan == .notModified {
            return Response(status: .notModified, headers: responseHeaders)
        }

        responseHeaders.append("Content-Type", MediaTypes.forPath(filePath))
        if gzip != nil { responseHeaders.append("Content-Encoding", "gzip") }
        responseHeaders.append("Accept-Ranges", "bytes")
        var status = HTTPStatus.ok
        var range = ByteRange(first: 0, last: file.size - 1)
        if case .partial(let selected) = plan {
            status = .partialContent
            range = selected
            responseHeaders.append("Content-Range", selected.contentRange(size: file.size))
        }

        let offset = range.first
        let length = max(0, range.length)
        let body: ResponseBody
        if request.method == .get && length < Self.smallBodyLimit {
            guard let bytes = file.read(offset: offset, count: Int(length)) else { return nil }
            body = .bytes(bytes)
        } else {
            // Also for HEAD, so nothing is read up front; the length still goes into the headers.
            let pieceSize = Self.pieceSize
            body = .stream(length: length) { writer in
                try file.stream(offset: offset, length: length, pieceSize: pieceSize, to: writer)
            }
        }
        return Response(status: status, headers: responseHeaders, body: body)
    }

    /// The real path of the file that answers `path`: the file itself, or `index.html` inside a directory.
    static func locate(_ path: StaticPath, rootPath: String) -> String? {
        var candidate = rootPath
        for segment in path.segments {
            if !candidate.hasSuffix("/") { candidate += "/" }
            candidate += segment
        }
        guard let resolved = resolveInside(candidate, rootPath: rootPath) else { return nil }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return path.trailingSlash ? nil : resolved
        case S_IFDIR:
            let index = resolved.hasSuffix("/") ? resolved + "index.html" : resolved + "/index.html"
            return resolveInside(index, rootPath: rootPath)
        default:
            return nil
        }
    }

    /// `path` with every symlink resolved, if that stays inside the root and names nothing hidden there.
    static func resolveInside(_ path: String, rootPath: String) -> String? {
        guard let resolved = realPath(path), isServable(resolved, rootPath: rootPath) else { return nil }
        return resolved
    }

    /// Whether a resolved path lies inside the resolved root (a sibling such as `/srv/www2` of `/srv/www`
    /// does not) and no component below the root starts with `.`, so a symlink to `.git` is no way in either.
    static func isServable(_ resolved: String, rootPath: String) -> Bool {
        // Bytes, not Characters: String comparison treats canonically equivalent names as equal, the file
        // system does not.
        let prefix = Array((rootPath.hasSuffix("/") ? rootPath : rootPath + "/").utf8)
        let bytes = Array(resolved.utf8)
        guard bytes.elementsEqual(rootPath.utf8) || bytes.starts(with: prefix) else { return false }
        return !bytes.dropFirst(prefix.count).split(separator: 0x2F).contains { $0.first == 0x2E }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
