import Foundation
import TrailDetect
import TrailIngest
import TrailJSON
import TrailMatch

/// The rules in force: their definitions and their patterns compiled into one matcher.
public struct RuleBook: Sendable {
    public let definitions: [RuleDefinition]
    public let patterns: CompiledPatterns
    /// Where the rules came from: a directory, or "built-in".
    public let origin: String

    public init(definitions: [RuleDefinition], origin: String) throws(PipelineError) {
        self.definitions = definitions
        self.origin = origin
        do {
            patterns = try CompiledPatterns(definitions.map {
                NamedPattern(name: $0.name, file: $0.file, pattern: $0.pattern)
            })
        } catch {
            throw PipelineError(.rules, wrapping: error)
        }
    }

    /// The largest rule file read (the shipped ones are a few KB).
    public static let maxRuleFileBytes = 16 << 20

    /// Loads every `*.json` file of `directory` (sorted by name; hidden files such as an editor's
    /// `.#x.json` lock are passed over, as in log trees), or the shipped rules when `directory` is
    /// nil. A rule name used twice is an error naming both files.
    public static func load(directory: String?) throws(PipelineError) -> RuleBook {
        var files: [(file: String, bytes: [UInt8])] = []
        let origin: String
        if let directory {
            origin = directory
            let fm = FileManager.default
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw PipelineError(.rules, "rules directory \(directory) does not exist or is not a directory")
            }
            let names: [String]
            do {
                names = try fm.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
            } catch {
                throw PipelineError(.rules, "cannot list rules directory \(directory): \(error.localizedDescription)")
            }
            for name in names {
                let path = (directory as NSString).appendingPathComponent(name)
                do {
                    // A regular file, opened without blocking and read up to a limit: a FIFO or
                    // /dev/zero named *.json stops with a reason instead of hanging.
                    files.append((path, try FileReader.readStored(path: path, maxBytes: maxRuleFileBytes).bytes))
                } catch {
                    throw PipelineError(.rules, "\(path): cannot read the rule file: \(error.reason)")
                }
            }
        } else {
            origin = "built-in"
            files = RuleLoader.shipped.map { ($0.file, Array($0.json.utf8)) }
        }
        let definitions: [RuleDefinition]
        do {
            definitions = try RuleLoader.load(files: files)
        } catch {
            throw PipelineError(.rules, wrapping: error)
        }
        if definitions.isEmpty, let directory {
            throw PipelineError(.rules, "rules directory \(directory) holds no rules (*.json)")
        }
        return try RuleBook(definitions: definitions, origin: origin)
    }

    /// `--rules DIR` when given, else `./Rules` when it exists, else the shipped rules.
    public static func resolveDirectory(_ given: String?) -> String? {
        if let given { return given }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "Rules", isDirectory: &isDirectory), isDirectory.boolValue {
            return "Rules"
        }
        return nil
    }
}
