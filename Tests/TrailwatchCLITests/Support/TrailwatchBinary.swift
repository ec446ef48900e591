import Foundation

/// Locates the built `trailwatch` executable and runs it in a child process.
///
/// The binary is looked up, in order: `$TRAILWATCH_BIN`; next to this test target's resource bundle
/// (the build products directory, e.g. `.build/debug/`); next to the running test executable; then
/// `<package root>/.build/debug/trailwatch`. `swift build` (which `.ci/run` runs before `swift test`)
/// produces it.
enum TrailwatchBinary {
    struct NotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "trailwatch binary not found (run `swift build` first, or set TRAILWATCH_BIN); looked in:\n  "
                + searched.joined(separator: "\n  ")
        }
    }

    /// Candidate paths, most specific first.
    static var candidates: [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["TRAILWATCH_BIN"], !env.isEmpty { paths.append(env) }
        paths.append(Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("trailwatch").path)
        if let exe = Bundle.main.executableURL {
            paths.append(exe.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("trailwatch").path)
        }
        paths.append(PackagePaths.root.appendingPathComponent(".build/debug/trailwatch").path)
        return paths
    }

    /// The first candidate that is an executable file.
    ///
    /// `swift test` compiles the executable's module but does not relink the `trailwatch` binary, so
    /// after changing `Sources/` run `swift build` before `swift test` (`.ci/run` does both).
    static func url() throws -> URL {
        let paths = candidates
        guard let found = paths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NotFound(searched: paths)
        }
        return URL(fileURLWithPath: found)
    }

    /// Runs `trailwatch` with `arguments` in `directory` (default: a fresh temporary directory), feeding
    /// `stdin` (default: empty), and waits for it, killing it after `timeout` seconds.
    static func run(
        _ arguments: [String],
        in directory: URL? = nil,
        stdin: String = "",
        environment: [String: String] = [:],
        timeout: TimeInterval = 300
    ) throws -> CLIResult {
        let process = try launch(arguments, in: directory, stdin: stdin, environment: environment)
        return try process.wait(timeout: timeout)
    }

    /// Starts `trailwatch` without waiting, for long-running commands such as `tail`.
    static func launch(
        _ arguments: [String],
        in directory: URL? = nil,
        stdin: String = "",
        environment: [String: String] = [:]
    ) throws -> RunningCLI {
        try RunningCLI(executable: url(), arguments: arguments, directory: directory, stdin: stdin, environment: environment)
    }
}
