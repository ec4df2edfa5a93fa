import Foundation

/// The checks a resource upload must pass before it is stored. The type is decided from the bytes alone (never the
/// file name or the browser's content type): PNG, JPEG, GIF and WebP images (with their pixel size, `ImageInfo`),
/// SVG (rewritten through a strict allow-list, `SVGSanitizer`), PDF, ZIP, MP4, and plain UTF-8 text or CSV.
/// Anything else is refused with a message the admin can act on. Pure: no I/O.
public enum ResourceUpload {
    /// Per file (the original and each variant).
    public static let maximumBytes = 10 * 1024 * 1024
    /// The width of the thumbnail and mobile variants made from an SVG.
    public static let thumbnailWidth = 320
    public static let mobileWidth = 640

    public enum FileType: String, Sendable, Equatable {
        case png, jpeg, gif, webp, svg, pdf, zip, mp4, text

        public var contentType: String {
            switch self {
            case .png: "image/png"
            case .jpeg: "image/jpeg"
            case .gif: "image/gif"
            case .webp: "image/webp"
            case .svg: "image/svg+xml"
            case .pdf: "application/pdf"
            case .zip: "application/zip"
            case .mp4: "video/mp4"
            case .text: "text/plain"
            }
        }

        var fileExtension: String {
            switch self {
            case .jpeg: "jpg"
            case .text: "txt"
            default: rawValue
            }
        }

        public var isImage: Bool { [.png, .jpeg, .gif, .webp, .svg].contains(self) }
    }

    /// A refused file, with the sentence to show next to the file input.
    public struct Refusal: Error, Equatable, Sendable {
        public let message: String
        public init(_ message: String) { self.message = message }
    }

    /// A file that passed: its type, pixel size for images, the bytes to store (an SVG's are the sanitised
    /// rewrite) and a safe file name whose extension matches the type.
    public struct Checked: Sendable, Equatable {
        public let type: FileType
        public let width: Int?
        public let height: Int?
        public let data: [UInt8]
        public let fileName: String
        /// Only for SVG: the sanitised document, to make sized variants from.
        let svg: SVGSanitizer.Document?

        public func newFile(_ variant: ResourceFileVariant) -> NewResourceFile {
            NewResourceFile(variant: variant, contentType: type.contentType, fileName: fileName, width: width, height: height, data: data)
        }
    }

    /// Checks `bytes` uploaded as `fileName`.
    public static func check(_ bytes: [UInt8], fileName: String) -> Result<Checked, Refusal> {
        if bytes.isEmpty { return .failure(Refusal("The file is empty.")) }
        if bytes.count > maximumBytes {
            return .failure(Refusal("The file is larger than \(maximumBytes / (1024 * 1024)) MB (it is \(ResourceFile.size(Int64(bytes.count))))."))
        }
        func checked(_ type: FileType, _ width: Int? = nil, _ height: Int? = nil, data: [UInt8]? = nil,
                     svg: SVGSanitizer.Document? = nil) -> Result<Checked, Refusal> {
            .success(Checked(type: type, width: width, height: height, data: data ?? bytes,
                             fileName: safeFileName(fileName, type: type), svg: svg))
        }
        if let image = ImageInfo.read(bytes) {
            let type: FileType = switch image.format {
            case .png: .png
            case .jpeg: .jpeg
            case .gif: .gif
            case .webp: .webp
            }
            return checked(type, image.width, image.height)
        }
        if bytes.starts(with: Array("%PDF-".utf8)) { return checked(.pdf) }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return checked(.zip) }
        if bytes.count >= 12, bytes[4..<8].elementsEqual(Array("ftyp".utf8)) { return checked(.mp4) }
        // Text: valid UTF-8 without NUL (or other C0 controls than tab, line feed, carriage return, form feed).
        guard !bytes.contains(where: { $0 < 0x20 && ![0x09, 0x0A, 0x0D, 0x0C].contains($0) }),
              let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(Refusal("This type of file is not accepted: upload a PNG, JPEG, GIF, WebP or SVG image, a PDF, a ZIP archive, an MP4 video, or a text or CSV file."))
        }
        if SVGSanitizer.looksLikeMarkup(text) {
            switch SVGSanitizer.sanitize(text) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let document):
                return checked(.svg, document.width, document.height, data: Array(document.render().utf8), svg: document)
            }
        }
        return checked(.text)
    }

    /// The variants made on the server, for images wider than the thumbnail (or mobile) width: for an SVG, the same
    /// drawing with a smaller `width`/`height` (it scales); for an 8-bit non-interlaced PNG, a box-filtered smaller PNG
    /// (`PNGThumbnail`). Other images get none here: the admin may upload their own (see docs/DECISIONS.md, Admin
    /// resources) and the page otherwise scales the original with CSS.
    public static func variants(of checked: Checked) -> [NewResourceFile] {
        if checked.type == .png {
            return [(ResourceFileVariant.thumbnail, thumbnailWidth), (.mobile, mobileWidth)].compactMap { variant, target in
                PNGThumbnail.scaled(checked.data, toWidth: target).map { small in
                    NewResourceFile(variant: variant, contentType: FileType.png.contentType, fileName: checked.fileName,
                                    width: small.width, height: small.height, data: small.data)
                }
            }
        }
        guard let svg = checked.svg else { return [] }
        var files: [NewResourceFile] = []
        for (variant, target) in [(ResourceFileVariant.thumbnail, thumbnailWidth), (.mobile, mobileWidth)] where svg.width > target {
            let height = max(1, Int((Double(svg.height) * Double(target) / Double(svg.width)).rounded()))
            files.append(NewResourceFile(variant: variant, contentType: FileType.svg.contentType, fileName: checked.fileName,
                                         width: target, height: height, data: Array(svg.render(width: target, height: height).utf8)))
        }
        return files
    }

    /// An admin-supplied thumbnail or mobile variant: an image, no wider than the original when that is an image.
    public static func checkVariant(_ bytes: [UInt8], fileName: String, variant: ResourceFileVariant,
                                    originalWidth: Int?) -> Result<Checked, Refusal> {
        switch check(bytes, fileName: fileName) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let file):
            guard file.type.isImage, let width = file.width else {
                return .failure(Refusal("The \(variant.rawValue) must be a PNG, JPEG, GIF, WebP or SVG image."))
            }
            if let originalWidth, width > originalWidth {
                return .failure(Refusal("The \(variant.rawValue) (\(width) pixels wide) must not be wider than the original (\(originalWidth) pixels)."))
            }
            return .success(file)
        }
    }

    /// The name's base with letters, digits, `-` and `_` only, and the extension of the detected type (`.csv` and
    /// `.md` are kept for text).
    public static func safeFileName(_ name: String, type: FileType) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var base = last
        var ext = type.fileExtension
        if let dot = last.lastIndex(of: ".") {
            base = String(last[..<dot])
            let given = last[last.index(after: dot)...].lowercased()
            if type == .text, ["csv", "md", "txt"].contains(given) { ext = given }
            if type == .jpeg, given == "jpeg" { ext = given }
        }
        var clean = String(base.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_") ? Character(scalar) : "_"
        })
        clean = String(clean.prefix(80))
        if clean.isEmpty || clean.allSatisfy({ $0 == "_" }) { clean = "file" }
        return clean + "." + ext
    }
}
