// swift-tools-version:6.0
// PartnerPortal: a self-hosted partner program server. See README.md and docs/DECISIONS.md.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "partner-portal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "portal", targets: ["portal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Markdown for resource pages (rendered with raw HTML escaped first: see docs/DECISIONS.md, Resources).
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
    ],
    targets: [
        // epoll, eventfd and socket helpers that Glibc does not export to Swift.
        .target(name: "CSystemLinux", path: "Sources/CSystemLinux"),
        // OpenSSL's libcrypto and libssl; shim.h wraps the macros Swift cannot call.
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Random tokens, SHA-256, HMAC, password hashing, secrets at rest. Not called `Security`: that is
        // Apple's framework on macOS, and on Linux it would turn on `#if canImport(Security)` code in packages.
        .target(name: "PortalSecurity", dependencies: ["COpenSSL"], swiftSettings: strict),
        // The system SQLite, with static inline wrappers for what Swift cannot call (shim.h).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The system zlib: PNG thumbnails of uploaded resources (see docs/DECISIONS.md, Admin resources).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Connections, statements, transactions, the reader pool and migrations over CSQLite.
        .target(name: "Store", dependencies: ["CSQLite", "PortalSecurity"], swiftSettings: strict),
        // Our own HTTP/1.1 server: sockets, event loops, parser, router, static files. No SwiftNIO.
        .target(
            name: "HTTPServer",
            dependencies: ["CSystemLinux", "COpenSSL", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Domain types and the engine: accounts, programs, partners, money rules. No HTTP here.
        .target(
            name: "PortalCore",
            dependencies: ["PortalSecurity", "Store", "COpenSSL", "CZlib", .product(name: "Ink", package: "Ink")],
            swiftSettings: strict
        ),
        // Controllers, view models and the application's routes.
        .target(
            name: "PortalWeb",
            dependencies: [
                "HTTPServer",
                "PortalCore",
                "PortalSecurity",
                "Store",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "portal",
            dependencies: [
                "HTTPServer",
                "PortalCore",
                "PortalWeb",
                "Store",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "CSystemLinux"], swiftSettings: strict),
        .testTarget(name: "PortalCoreTests", dependencies: ["PortalCore", "Store", "PortalSecurity"], swiftSettings: strict),
        .testTarget(name: "SecurityTests", dependencies: ["PortalSecurity"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Store", "PortalSecurity"], swiftSettings: strict),
        .testTarget(name: "PortalWebTests", dependencies: ["PortalWeb", "HTTPServer", "PortalCore", "PortalSecurity", "Store"], swiftSettings: strict),
    ]
)
