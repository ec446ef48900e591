import Foundation

/// Paths relative to this source file, so tests find fixtures and `Rules/` without resources.
enum Paths {
    static let testsDir: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let packageRoot: URL = testsDir.deletingLastPathComponent().deletingLastPathComponent()
    static var fixtures: URL { testsDir.appendingPathComponent("Fixtures") }
    static var rulesDir: URL { packageRoot.appendingPathComponent("Rules") }

    static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }
}
