// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode (strict concurrency) and
/// member-import visibility so that each room imports what it uses and nothing more.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .library(name: "FerryEngine", targets: ["FerryEngine"]),
        .library(name: "FerrySpec", targets: ["FerrySpec"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C libraries: one system-library target each, nothing else inside.
        .systemLibrary(
            name: "CLibArchive", pkgConfig: "libarchive",
            providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(
            name: "CLibCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(
            name: "CDeflate", pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(
            name: "CIsal", pkgConfig: "libisal",
            providers: [.apt(["libisal-dev"])]),
        // glibc's mallopt and sync_file_range, which Swift's Glibc module leaves out.
        .systemLibrary(name: "CGlibcExtras"),

        // Pure values: digests, media types, references, documents. No I/O.
        .target(name: "FerrySpec", swiftSettings: strictSettings),
        // Bytes in motion: hashing, (de)compression, tar, verifying readers, atomic files.
        .target(
            name: "FerryStreams",
            dependencies: ["FerrySpec", "CLibArchive", "CLibCrypto", "CZstd", "CDeflate", "CIsal", "CGlibcExtras"],
            swiftSettings: strictSettings),
        // Docker schema 1's JWS signatures: the signed payload's digest, verifying, signing (ES256).
        .target(
            name: "FerrySigning",
            dependencies: ["FerrySpec", "FerryStreams", "CLibCrypto"],
            swiftSettings: strictSettings),
        // HTTP and the distribution API: requests, auth, retries, uploads. Knows no file formats.
        .target(
            name: "FerryRegistry",
            dependencies: [
                "FerrySpec", "FerryStreams", "FerrySigning",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings),
        // The source / destination seam and every format that plugs into it.
        .target(
            name: "FerryTransports",
            dependencies: ["FerrySpec", "FerryStreams", "FerrySigning", "FerryRegistry"],
            swiftSettings: strictSettings),
        // Copy, verify, inspect, sync: composes sources and destinations.
        .target(
            name: "FerryEngine",
            dependencies: ["FerrySpec", "FerryStreams", "FerrySigning", "FerryRegistry", "FerryTransports", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryEngine", "FerryTransports", "FerryRegistry", "FerrySpec", "FerryStreams", "CGlibcExtras",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),

        .target(
            name: "FerryTestSupport",
            dependencies: ["FerrySpec", "FerryStreams", "FerryTransports", "FerryEngine"],
            path: "Tests/FerryTestSupport",
            swiftSettings: strictSettings),
        .testTarget(name: "FerrySpecTests", dependencies: ["FerrySpec"], swiftSettings: strictSettings),
        .testTarget(
            name: "FerryStreamsTests", dependencies: ["FerryStreams", "FerrySpec", "FerryTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FerrySigningTests", dependencies: ["FerrySigning", "FerryStreams", "FerrySpec", "FerryTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FerryTransportsTests",
            dependencies: ["FerryTransports", "FerryStreams", "FerrySpec", "FerryEngine", "FerryTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FerryRegistryTests",
            dependencies: [
                "FerryRegistry", "FerrySpec", "FerryStreams", "FerryTransports", "FerryEngine", "FerryTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FerryEngineTests",
            dependencies: ["FerryEngine", "FerryTransports", "FerryStreams", "FerrySigning", "FerrySpec", "FerryTestSupport"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FerryInteropTests",
            dependencies: ["FerryEngine", "FerryTransports", "FerryStreams", "FerrySpec", "FerryTestSupport"],
            swiftSettings: strictSettings),
    ]
)

// The libFuzzer targets (Sources/FerryFuzz) exist only when FERRY_FUZZ is set, because they
// link only with `-sanitize=fuzzer` (libFuzzer's driver): Scripts/fuzz sets it and builds them
// in .build-fuzz, so `swift build` and the tests never see them.
if Context.environment["FERRY_FUZZ"] != nil {
    package.targets.append(.systemLibrary(name: "CFuzzerDriver"))
    package.targets.append(
        .executableTarget(
            name: "FerryFuzz",
            dependencies: ["FerrySpec", "FerryStreams", "FerryRegistry", "FerryTransports", "FerryEngine", "CFuzzerDriver"],
            swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library", "-enable-testing"])]))
}
