// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for TrailWatch's parsers, kept out of the main package so that its
/// `swift build` and `swift test` never see `-sanitize=fuzzer`. Build and run them with
/// `Scripts/fuzz.sh TARGET [SECONDS]` (the flags below are passed by that script).
///
/// Each target is one file: its test function, exported as `LLVMFuzzerTestOneInput`, and an
/// `@main` that hands it to libFuzzer's `LLVMFuzzerRunDriver` (SwiftPM links an executable with
/// its entry point renamed after the module, so a Swift `main` must exist). Built with
/// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld` (gold fails on the instrumented objects).
let package = Package(
    name: "TrailWatchFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "TrailWatch", path: ".."),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
        .executableTarget(name: "fuzz-json", dependencies: [
            "FuzzSupport", .product(name: "TrailJSON", package: "TrailWatch"),
        ]),
        .executableTarget(name: "fuzz-gunzip", dependencies: [
            "FuzzSupport", .product(name: "TrailIngest", package: "TrailWatch"),
        ]),
        .executableTarget(name: "fuzz-decode", dependencies: [
            "FuzzSupport",
            .product(name: "TrailDecode", package: "TrailWatch"),
            .product(name: "TrailDetect", package: "TrailWatch"),
            .product(name: "TrailMatch", package: "TrailWatch"),
            .product(name: "TrailJSON", package: "TrailWatch"),
        ]),
        .executableTarget(name: "fuzz-match", dependencies: [
            "FuzzSupport",
            .product(name: "TrailMatch", package: "TrailWatch"),
            .product(name: "TrailJSON", package: "TrailWatch"),
        ]),
        .executableTarget(name: "fuzz-rules", dependencies: [
            "FuzzSupport",
            .product(name: "TrailDetect", package: "TrailWatch"),
            .product(name: "TrailMatch", package: "TrailWatch"),
            .product(name: "TrailJSON", package: "TrailWatch"),
        ]),
        .executableTarget(name: "fuzz-time", dependencies: [
            "FuzzSupport",
            .product(name: "TrailDecode", package: "TrailWatch"),
            .product(name: "TrailDetect", package: "TrailWatch"),
            .product(name: "TrailModel", package: "TrailWatch"),
        ]),
    ]
)
