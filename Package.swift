// swift-tools-version:6.1
import PackageDescription

/// TrailWatch: CloudTrail audit logs in, Secrets Manager alerts and an access history out.
///
/// Dependencies point inward: the core targets (TrailJSON, TrailModel, TrailDecode, TrailMatch,
/// TrailDetect) do no file, network or clock I/O; ingestion, storage, sinks and the CLI sit around them.
let package = Package(
    name: "TrailWatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "trailwatch", targets: ["trailwatch"]),
        // The parsing targets, for the libFuzzer package in Fuzz/ (it depends on this one by path).
        .library(name: "TrailJSON", targets: ["TrailJSON"]),
        .library(name: "TrailModel", targets: ["TrailModel"]),
        .library(name: "TrailDecode", targets: ["TrailDecode"]),
        .library(name: "TrailMatch", targets: ["TrailMatch"]),
        .library(name: "TrailDetect", targets: ["TrailDetect"]),
        .library(name: "TrailIngest", targets: ["TrailIngest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // Core: pure, no I/O.
        .target(name: "TrailJSON"),
        .target(name: "TrailModel"),
        .target(name: "TrailMatch", dependencies: ["TrailJSON"]),
        .target(name: "TrailDecode", dependencies: ["TrailJSON", "TrailModel"]),
        .target(name: "TrailDetect", dependencies: ["TrailModel", "TrailJSON"]),
        // Effects.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // gzip's CRC-32 with carry-less multiplication: zlib's table code cost a quarter of inflating.
        .target(name: "CCRC32"),
        .target(name: "TrailIngest", dependencies: ["TrailModel", "TrailDecode", "TrailJSON", "CZlib", "CCRC32"]),
        .target(name: "TrailStore", dependencies: [
            "TrailModel", "TrailJSON",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .target(name: "TrailAlerts", dependencies: ["TrailModel", "TrailJSON"]),
        .target(name: "TrailPipeline", dependencies: [
            "TrailModel", "TrailJSON", "TrailDecode", "TrailMatch", "TrailDetect",
            "TrailIngest", "TrailStore", "TrailAlerts",
        ]),
        .executableTarget(name: "trailwatch", dependencies: [
            "TrailPipeline", "TrailStore", "TrailMatch", "TrailJSON", "TrailModel", "TrailAlerts",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "trailwatch-bench", dependencies: [
            "TrailStore", "TrailModel", "TrailIngest", "TrailDecode", "TrailJSON",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/trailwatch-bench"),

        .testTarget(name: "TrailJSONTests", dependencies: ["TrailJSON"]),
        .testTarget(name: "TrailMatchTests", dependencies: ["TrailMatch", "TrailJSON"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrailDecodeTests", dependencies: ["TrailDecode", "TrailJSON", "TrailModel"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrailDetectTests", dependencies: ["TrailDetect", "TrailAlerts", "TrailDecode", "TrailMatch", "TrailIngest", "TrailModel", "TrailJSON"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrailIngestTests", dependencies: ["TrailIngest", "TrailModel", "TrailDecode", "TrailJSON"]),
        .testTarget(name: "TrailStoreTests", dependencies: ["TrailStore", "TrailModel", "TrailJSON"]),
        .testTarget(name: "TrailwatchCLITests", dependencies: ["TrailJSON"], resources: [.copy("Fixtures")]),
    ]
)
