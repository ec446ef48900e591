import Foundation
import Testing
import TrailDetect
@testable import TrailPipeline

/// `--rules DIR`: which files are read, and what a bad one says.
@Suite struct RuleBookLoadTests {
    /// A fresh directory holding the shipped rules as files.
    private func rulesDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (file, json) in RuleLoader.shipped {
            try Data(json.utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent((file as NSString).lastPathComponent))
        }
        return dir
    }

    private func message(_ directory: String) -> String? {
        do {
            _ = try RuleBook.load(directory: directory)
            return nil
        } catch {
            return error.description
        }
    }

    /// Emacs keeps `.#name.json` (a dangling symlink) beside a file being edited; it stopped every
    /// run with "cannot read the file". Hidden files are passed over, as in log trees.
    @Test func hiddenFilesArePassedOver() throws {
        let dir = try rulesDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let shipped = try RuleBook.load(directory: nil).definitions.map(\.name)
        try FileManager.default.createSymbolicLink(atPath: dir + "/.#secret-read-burst.json", withDestinationPath: "root@host.1234:1700000000")
        try Data("{\"not\": \"rules\"".utf8).write(to: URL(fileURLWithPath: dir + "/.hidden.json"))
        #expect(try RuleBook.load(directory: dir).definitions.map(\.name).sorted() == shipped.sorted())
    }

    @Test func aRuleNamedTwiceNamesBothFiles() throws {
        let dir = try rulesDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).sorted().first)
        try FileManager.default.copyItem(atPath: dir + "/" + first, toPath: dir + "/zz-copy.json")
        let text = try #require(message(dir))
        #expect(text.hasPrefix("\(dir)/zz-copy.json: rule "), "\(text)")
        // The loader's error is kept whole, not only as text.
        do {
            _ = try RuleBook.load(directory: dir)
        } catch {
            #expect(error.code == .rules)
            #expect(error.ruleError?.file == "\(dir)/zz-copy.json")
            #expect(error.ruleError?.path == "name")
        }
        #expect(text.contains("duplicate rule name (also in \(dir)/\(first))"), "\(text)")
    }

    @Test func unreadableRuleFilesSayWhy() throws {
        let dir = try rulesDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling.json", withDestinationPath: dir + "/nowhere")
        #expect(message(dir)?.hasPrefix("\(dir)/dangling.json: cannot read the rule file: ") == true, "\(message(dir) ?? "")")
        try FileManager.default.removeItem(atPath: dir + "/dangling.json")
        // A FIFO named *.json would block a plain open for ever; it is refused at once.
        #expect(mkfifo(dir + "/fifo.json", 0o600) == 0)
        #expect(message(dir)?.hasPrefix("\(dir)/fifo.json: cannot read the rule file: ") == true, "\(message(dir) ?? "")")
        try FileManager.default.removeItem(atPath: dir + "/fifo.json")
        try Data(count: RuleBook.maxRuleFileBytes + 1).write(to: URL(fileURLWithPath: dir + "/huge.json"))
        #expect(message(dir)?.hasPrefix("\(dir)/huge.json: cannot read the rule file: ") == true, "\(message(dir) ?? "")")
    }
}
