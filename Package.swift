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
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // DER of RSA public keys (digest verification), parsed before swift-crypto sees them.
        .package(url: "https://github.com/apple/swift-asn1", from: "1.2.0"),
        // Webhook delivery and S3: timeouts per request, redirects not followed, connection pooling.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // NIO's types at the HTTP client's edge, the metrics endpoint, and the tests' loopback stand-ins.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The read-only web console (`trailwatch serve`): HTTP routing on NIO, graceful shutdown on signals.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // The HTTP parts the console's per-request deadline sees (already resolved for Hummingbird).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The shared PostgreSQL store: the wire protocol client, and TLS for `sslmode=require|verify-full`.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Core: pure, no I/O. `Lifetimes` (supported by the release toolchain, no unsafe flags)
        // lets the tape walkers hold the non-escapable `JSONCursor`.
        // `Mutex.locked`: the one way into a Mutex, visible to ThreadSanitizer (see its doc comment).
        .target(name: "TrailSync"),
        .target(name: "TrailJSON", swiftSettings: [.enableExperimentalFeature("Lifetimes")]),
        .target(name: "TrailModel"),
        .target(name: "TrailMatch", dependencies: ["TrailJSON", "TrailModel", "TrailSync"], swiftSettings: [.enableExperimentalFeature("Lifetimes")]),
        .target(name: "TrailDecode", dependencies: ["TrailJSON", "TrailModel", "TrailSync"], swiftSettings: [.enableExperimentalFeature("Lifetimes")]),
        .target(name: "TrailDetect", dependencies: ["TrailModel", "TrailJSON"]),
        // Effects.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // gzip's CRC-32 with carry-less multiplication: zlib's table code cost a quarter of inflating.
        .target(name: "CCRC32"),
        .target(name: "TrailIngest", dependencies: ["CZlib", "CCRC32", "TrailSync"]),
        // SQLite's memory statistics off: each allocation took a process-wide mutex (2% of a backfill).
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "TrailStore", dependencies: [
            "TrailModel", "TrailJSON", "TrailSync", "CSQLiteTuning",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // PostgreSQL for the store: connection URLs and ~/.pgpass, a blocking session over PostgresNIO,
        // and the `SQLConnection` the store's shared SQL runs on.
        .target(name: "TrailPostgres", dependencies: [
            "TrailStore", "TrailModel", "TrailSync",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // What the CLI and the console share above the store: tables, CSV and JSON lines, time rendering, `--since`.
        .target(name: "TrailPresentation", dependencies: ["TrailStore", "TrailModel", "TrailJSON"]),
        .target(name: "TrailAlerts", dependencies: [
            "TrailModel", "TrailJSON",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // CloudTrail digest-chain verification: hashes, chain links, RSA signatures, coverage.
        .target(name: "TrailVerify", dependencies: [
            "TrailJSON", "TrailModel", "TrailDecode", "TrailIngest", "TrailSync", "CZlib",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // AWS access without an SDK: SigV4 signing, the credential chain and a small S3 client.
        .target(name: "TrailAWS", dependencies: [
            "TrailSync",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .target(name: "TrailPipeline", dependencies: [
            "TrailModel", "TrailJSON", "TrailDecode", "TrailMatch", "TrailDetect",
            "TrailIngest", "TrailStore", "TrailAlerts", "TrailVerify", "TrailSync",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // `trailwatch serve`: routes, HTML pages with inline SVG charts, the JSON API, auth and security headers.
        .target(name: "TrailConsole", dependencies: [
            "TrailStore", "TrailPresentation", "TrailModel", "TrailJSON", "TrailSync",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),
        .executableTarget(name: "trailwatch", dependencies: [
            "TrailPipeline", "TrailStore", "TrailPostgres", "TrailPresentation", "TrailConsole", "TrailMatch", "TrailDetect", "TrailJSON", "TrailModel", "TrailAlerts", "TrailVerify", "TrailAWS", "TrailIngest", "TrailSync",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "trailwatch-bench", dependencies: [
            "TrailStore", "TrailPostgres", "TrailPresentation", "TrailModel", "TrailIngest", "TrailDecode", "TrailJSON", "TrailTestSupport",
            "TrailPipeline", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/trailwatch-bench"),

        // Helpers shared by the tests and the benchmarks (a seeded random generator, a throwaway PostgreSQL cluster).
        .target(name: "TrailTestSupport", dependencies: ["TrailSync"], path: "Tests/TrailTestSupport"),
        .testTarget(name: "TrailJSONTests", dependencies: ["TrailJSON", "TrailTestSupport"]),
        .testTarget(name: "TrailMatchTests", dependencies: ["TrailMatch", "TrailJSON", "TrailTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrailDecodeTests", dependencies: ["TrailDecode", "TrailJSON", "TrailModel"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrailDetectTests", dependencies: ["TrailDetect", "TrailAlerts", "TrailDecode", "TrailMatch", "TrailIngest", "TrailModel", "TrailJSON", "TrailTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrailIngestTests", dependencies: ["TrailIngest", "TrailSync", "CZlib", "TrailTestSupport"]),
        .testTarget(name: "TrailVerifyTests", dependencies: [
            "TrailVerify", "TrailModel", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "TrailAWSTests", dependencies: [
            "TrailAWS", "TrailSync", "TrailTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "TrailConsoleTests", dependencies: [
            "TrailConsole", "TrailStore", "TrailPresentation", "TrailModel", "TrailSync", "TrailTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "TrailAlertsTests", dependencies: ["TrailAlerts", "TrailModel", "TrailJSON"]),
        .testTarget(name: "TrailPipelineTests", dependencies: ["TrailPipeline", "TrailDetect", "TrailStore", "TrailIngest", "TrailModel", "TrailSync", "TrailTestSupport"]),
        .testTarget(name: "TrailPostgresTests", dependencies: [
            "TrailPostgres", "TrailStore", "TrailTestSupport",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "TrailStoreTests", dependencies: [
            "TrailStore", "TrailPostgres", "TrailPresentation", "TrailModel", "TrailSync", "TrailTestSupport", "CSQLiteTuning",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // Runs the built `trailwatch` binary; imports only TrailTestSupport (the throwaway PostgreSQL cluster).
        .testTarget(name: "TrailwatchCLITests", dependencies: ["TrailTestSupport"], resources: [.copy("Fixtures")]),
    ]
)
