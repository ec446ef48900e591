import Foundation

/// A fresh directory under the system's temporary directory, removed by the caller or at reboot.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "trailpostgres-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to `path` with `mode`.
func write(_ text: String, to path: String, mode: Int) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
}
