import Foundation

/// A uniquely named directory under the system temporary directory, removed when released.
final class TempDirectory {
    let url: URL

    init(prefix: String = "trailwatch-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `url/relative`.
    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// Writes `contents` to `relative`, creating parent directories.
    @discardableResult
    func write(_ relative: String, _ contents: Data) throws -> URL {
        let file = path(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file)
        return file
    }

    /// Copies the file or directory at `source` to `relative` (default: its own name) and returns the copy.
    @discardableResult
    func copy(_ source: URL, to relative: String? = nil) throws -> URL {
        let target = path(relative ?? source.lastPathComponent)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: target)
        return target
    }

    /// Copies a file or directory from this test target's `Fixtures/`.
    @discardableResult
    func copyFixture(_ name: String, to relative: String? = nil) throws -> URL {
        try copy(Fixtures.url(name), to: relative ?? name)
    }

    /// Regular files under `relative` (default: the whole directory), as paths relative to `url`, sorted.
    func files(under relative: String = "") throws -> [String] {
        let base = relative.isEmpty ? url : path(relative)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [String] = []
        let prefix = url.resolvingSymlinksInPath().path + "/"
        for case let file as URL in walker where (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let full = file.resolvingSymlinksInPath().path
            out.append(full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full)
        }
        return out.sorted()
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
