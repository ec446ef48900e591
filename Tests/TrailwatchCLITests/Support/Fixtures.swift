import Foundation

/// Files in `Tests/TrailwatchCLITests/Fixtures/` (copied into the test bundle).
enum Fixtures {
    struct Missing: Error, CustomStringConvertible {
        var name: String
        var description: String { "fixture \(name) not found in the test bundle or Tests/TrailwatchCLITests/Fixtures" }
    }

    /// The URL of fixture `name`, from the resource bundle or, failing that, the source tree.
    static func url(_ name: String) throws -> URL {
        if let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) {
            let file = dir.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: file.path) { return file }
        }
        let source = PackagePaths.root.appendingPathComponent("Tests/TrailwatchCLITests/Fixtures").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: source.path) else { throw Missing(name: name) }
        return source
    }

    /// The contents of fixture `name`.
    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
}
