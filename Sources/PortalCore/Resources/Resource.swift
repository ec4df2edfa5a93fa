import Foundation

/// What a resource is; decides how the library shows it.
public enum ResourceKind: String, Sendable, CaseIterable, Equatable {
    case creative, template, product, campaign, training, guideline, page

    /// The tab label in the library (plural).
    public var label: String {
        switch self {
        case .creative: "Creatives"
        case .template: "Templates"
        case .product: "Product"
        case .campaign: "Campaigns"
        case .training: "Training"
        case .guideline: "Guidelines"
        case .page: "Pages"
        }
    }

    /// One item's type, as a badge.
    public var singular: String {
        switch self {
        case .creative: "Creative"
        case .template: "Template"
        case .product: "Product information"
        case .campaign: "Campaign"
        case .training: "Training"
        case .guideline: "Guidelines"
        case .page: "Page"
        }
    }

    /// Whether `body` is Markdown to render (templates hold copy with merge fields instead).
    public var bodyIsMarkdown: Bool { self != .template }
}

/// Which rendition of a resource's file.
public enum ResourceFileVariant: String, Sendable, CaseIterable, Equatable {
    case original, thumbnail, mobile
}

/// A resource as the library lists it (files without their bytes).
public struct Resource: Sendable, Equatable {
    public let id: Int64
    public let programID: Int64
    public let kind: ResourceKind
    public let title: String
    public let description: String
    public let campaign: String
    public let body: String
    public let channel: String
    public let startsAt: Int64?
    public let endsAt: Int64?
    public let groupName: String?
    public let position: Int64
    public let createdAt: Int64
    public var files: [ResourceFile]

    public func file(_ variant: ResourceFileVariant) -> ResourceFile? { files.first { $0.variant == variant } }
    /// What an `<img>` shows: the thumbnail when there is one, else the original.
    public var preview: ResourceFile? { file(.thumbnail) ?? file(.original) }
}

/// A file's metadata; the bytes are read only when the file is served (`ResourceStore.file`).
public struct ResourceFile: Sendable, Equatable {
    public let id: Int64
    public let resourceID: Int64
    public let variant: ResourceFileVariant
    public let contentType: String
    public let fileName: String
    public let width: Int?
    public let height: Int?
    public let byteSize: Int64
    /// SHA-256 of the bytes (ETags, the public creative address).
    public let sha256: [UInt8]

    /// `728×90`, or nil without dimensions.
    public var dimensions: String? {
        guard let width, let height else { return nil }
        return "\(width)×\(height)"
    }

    /// `42 KB`-style size (1024-based, like file managers).
    public var sizeText: String { Self.size(byteSize) }

    public static func size(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let kb = Double(bytes) / 1024
        if kb < 1024 { return "\(Int(kb.rounded())) KB" }
        let mb = kb / 1024
        return mb < 10 ? String(format: "%.1f MB", mb) : "\(Int(mb.rounded())) MB"
    }
}

/// A file to store with a new resource.
public struct NewResourceFile: Sendable {
    public var variant: ResourceFileVariant
    public var contentType: String
    public var fileName: String
    public var width: Int?
    public var height: Int?
    public var data: [UInt8]

    public init(variant: ResourceFileVariant = .original, contentType: String, fileName: String, width: Int? = nil, height: Int? = nil,
                data: [UInt8]) {
        self.variant = variant
        self.contentType = contentType
        self.fileName = fileName
        self.width = width
        self.height = height
        self.data = data
    }
}

/// What the admin side (and the demo seed) creates. The upload UI validates and sniffs before it gets here.
public struct NewResource: Sendable {
    public var kind: ResourceKind
    public var title: String
    public var description = ""
    public var campaign = ""
    public var body = ""
    public var channel = ""
    public var startsAt: Int64?
    public var endsAt: Int64?
    public var groupName: String?
    public var position: Int64 = 0
    public var files: [NewResourceFile] = []

    public init(kind: ResourceKind, title: String) {
        self.kind = kind
        self.title = title
    }
}

/// A file with its bytes, ready to serve.
public struct ResourceFileData: Sendable {
    public let file: ResourceFile
    public let data: [UInt8]
}
