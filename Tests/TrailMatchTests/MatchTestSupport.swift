import Foundation
import Testing
import TrailJSON
@testable import TrailMatch

/// `true`/`false` for a match, nil when the pattern is rejected.
func match(_ pattern: String, _ event: String) -> Bool? {
    guard let p = try? JSONDocument(text: pattern), let e = try? JSONDocument(text: event) else {
        Issue.record("test JSON does not parse: \(pattern) / \(event)")
        return nil
    }
    do {
        let compiled = try CompiledPatterns([NamedPattern(name: "t", file: nil, pattern: p.root)])
        return !compiled.matchingIndexes(event: e.root, detail: nil).isEmpty
    } catch {
        return nil
    }
}

/// The validation error of a pattern, or nil when it compiles.
func patternError(_ pattern: String, name: String = "", file: String? = nil) -> PatternError? {
    guard let p = try? JSONDocument(text: pattern) else {
        Issue.record("test JSON does not parse: \(pattern)")
        return nil
    }
    do {
        _ = try CompiledPatterns([NamedPattern(name: name, file: file, pattern: p.root)])
        return nil
    } catch {
        return error
    }
}

/// One labelled conformance case.
struct ConformanceCase {
    var id: String
    var expect: String   // "true", "false" or "error"
    var quirk: Bool
    var line: JSONValue

    static func load(_ path: String) throws -> [ConformanceCase] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let doc = try JSONDocument(bytes: [UInt8](data), allowMultipleRoots: true)
        return doc.roots.map { root in
            let expect: String
            switch root["expect"]?.kind {
            case .true?: expect = "true"
            case .false?: expect = "false"
            default: expect = "error"
            }
            return ConformanceCase(id: root["id"]?.string ?? "?", expect: expect, quirk: root["quirk"] != nil, line: root)
        }
    }

    /// TrailWatch's answer.
    func answer() -> String {
        guard let pattern = line["pattern"], let event = line["event"] else { return "error" }
        do {
            let compiled = try CompiledPatterns([NamedPattern(name: id, file: nil, pattern: pattern)])
            return compiled.matchingIndexes(event: event, detail: nil).isEmpty ? "false" : "true"
        } catch {
            return "error"
        }
    }
}

/// Quirk cases where TrailWatch deliberately answers differently from the reference (see the
/// README section on pattern quirks), with TrailWatch's answer.
let documentedQuirkAnswers: [String: String] = [
    // JDK 17 prints some doubles with more digits than the shortest round-trip form.
    "h0069": "true", "h0070": "true", "h0071": "true",
    // /32 and /128 are accepted as single-address blocks.
    "h0284": "true", "h0305": "true",
    // cidr matches strings only, never numbers.
    "h0291": "false",
    // IPv4 octets with leading zeros in events are not addresses.
    "h0293": "false", "h0309": "false",
    // IPv4 blocks match only IPv4 addresses and IPv6 blocks only IPv6 addresses.
    "h0302": "false", "h0303": "false", "h0315": "false", "h0316": "false", "h0317": "false",
    // An empty field name is a field name at every level.
    "h0377": "true",
]

enum TestPaths {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The shared conformance file when it is available (`../shared` beside the package).
    static var sharedCases: String? {
        let path = packageRoot.appendingPathComponent("../shared/conformance/cases.jsonl").standardized.path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
