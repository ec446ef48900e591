import Foundation

/// Paths the end-to-end tests need: the package root, its `SampleLogs/`, and the shared tools
/// directory that CI places beside the clone (`<root>/../shared`).
enum PackagePaths {
    /// The package root, derived from this source file's location (`<root>/Tests/TrailwatchCLITests/Support/`).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // TrailwatchCLITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `SampleLogs/` in the package root.
    static var sampleLogs: URL { root.appendingPathComponent("SampleLogs", isDirectory: true) }

    /// The nearest `shared/` directory holding `tools/gen-cloudtrail`, looking in the package root's
    /// parent first and then further up; `nil` when there is none.
    static let shared: URL? = {
        var dir = root.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("shared", isDirectory: true)
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("tools/gen-cloudtrail").path) {
                return candidate
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return nil
    }()
}
