import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Debian's `chromium`, headless: loads a page and returns the DOM after parsing (`--dump-dom`)
/// and what the browser logged (console messages, CSP violations, failed loads).
enum HeadlessChromium {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// The executable on PATH (`chromium`, else `chromium-browser`, `google-chrome`).
    static var executable: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return URL(fileURLWithPath: "\(dir)/\(name)")
            }
        }
        return nil
    }

    /// Loads `url`; throws `Unavailable` when Chromium is missing or cannot start.
    static func load(_ url: String, profile: TempDirectory) throws -> (dom: String, log: String) {
        guard let executable else {
            throw Unavailable(description: "headless Chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
        }
        let out = profile.path("dom-\(UUID().uuidString).html"), err = profile.path("log-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                             "--user-data-dir=" + profile.path("profile").path, "--enable-logging=stderr", "--v=0",
                             "--virtual-time-budget=2000", "--dump-dom", url]
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let dom = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0, dom.contains("<html") else {
            throw Unavailable(description: "Chromium could not load \(url) (exit \(process.terminationStatus)): \(log.suffix(2000))")
        }
        return (dom, log)
    }

    /// Lines of the log that report a page problem: console messages (the pages run no script, so
    /// any is a CSP violation or an error) and failed resource loads.
    static func problems(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter {
            $0.contains(":CONSOLE") || $0.contains("Content Security Policy") || $0.contains("Failed to load resource")
                || $0.contains("net::ERR_")
        }
    }
}
