import Foundation
import TrailDetect
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
            throw PipelineError(.rules, "\(error)")
        }
    }

    /// Loads every `*.json` file of `directory` (sorted by name), or the shipped rules when
    /// `directory` is nil.
    public static func load(directory: String?) throws(PipelineError) -> RuleBook {
        var definitions: [RuleDefinition] = []
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
                names = try fm.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
            } catch {
                throw PipelineError(.rules, "cannot list rules directory \(directory): \(error.localizedDescription)")
            }
            for name in names {
                let path = (directory as NSString).appendingPathComponent(name)
                guard let data = fm.contents(atPath: path) else {
                    throw PipelineError(.rules, "\(path): cannot read the file")
                }
                do {
                    definitions += try RuleLoader.load(bytes: [UInt8](data), file: path)
                } catch {
                    throw PipelineError(.rules, "\(error)")
                }
            }
            if definitions.isEmpty {
                throw PipelineError(.rules, "rules directory \(directory) holds no rules (*.json)")
            }
        } else {
            origin = "built-in"
            for (file, json) in RuleLoader.shipped {
                do {
                    definitions += try RuleLoader.load(bytes: Array(json.utf8), file: file)
                } catch {
                    throw PipelineError(.rules, "\(error)")
                }
            }
        }
        var seen: Set<String> = []
        for rule in definitions where !seen.insert(rule.name).inserted {
            throw PipelineError(.rules, "\(rule.file ?? origin): rule \"\(rule.name)\" is defined twice")
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
