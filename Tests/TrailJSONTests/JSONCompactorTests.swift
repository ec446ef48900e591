import Foundation
import Testing
import TrailJSON

/// Compacting keeps every token's bytes and drops only layout, so an alert is one line.
@Suite struct JSONCompactorTests {
    /// The raw string and number tokens of JSON text, in order (layout ignored).
    private func tokens(_ bytes: [UInt8]) throws -> [String] {
        let doc = try JSONDocument(bytes: bytes)
        var out: [String] = []
        func walk(_ v: JSONValue) {
            if v.isObject {
                for (k, value) in v.members { out.append(k.rawText); walk(value) }
            } else if v.isArray {
                for e in v.elements { walk(e) }
            } else {
                out.append(v.rawText)
            }
        }
        walk(doc.root)
        return out
    }

    @Test func keepsEscapesAndNumbersAndDropsLayout() throws {
        let text = "{\n  \"a\" : [ 1.50e2 , -0 ],\r\n\t\"s\" : \"caf\\u00e9 \\/ \\\"q\\\"  \\n spaced\" ,\"e\":{ } }"
        let compact = JSONCompactor.compact(Array(text.utf8))
        #expect(String(decoding: compact, as: UTF8.self) == #"{"a":[1.50e2,-0],"s":"caf\u00e9 \/ \"q\"  \n spaced","e":{}}"#)
        #expect(JSONCompactor.hasLayout(Array(text.utf8)))
        #expect(!JSONCompactor.hasLayout(compact))
        #expect(try tokens(compact) == tokens(Array(text.utf8)))
    }

    static let stratus: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.deletingLastPathComponent().appendingPathComponent("shared/corpus/real/stratus-red-team/detonation-logs")
        return FileManager.default.fileExists(atPath: dir.path) ? dir : nil
    }()

    /// The real Stratus Red Team detonation logs (pretty-printed bare arrays): every record
    /// compacts to one line with the same tokens, and reads back equal.
    @Test(.enabled(if: stratus != nil, "needs ../shared/corpus/real/stratus-red-team (the shared corpus)"))
    func stratusRecordsCompactToOneLine() throws {
        let dir = try #require(Self.stratus)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count > 10)
        var records = 0
        for name in files {
            let bytes = Array(try Data(contentsOf: dir.appendingPathComponent(name)))
            let doc = try JSONDocument(bytes: bytes)
            for record in doc.root.elements {
                let raw = Array(record.rawBytes)
                let compact = JSONCompactor.compact(raw)
                #expect(!compact.contains(0x0A), "\(name)")
                #expect(try tokens(compact) == tokens(raw), "\(name)")
                let a = try JSONSerialization.jsonObject(with: Data(raw)) as? NSDictionary
                let b = try JSONSerialization.jsonObject(with: Data(compact)) as? NSDictionary
                #expect(a != nil && a == b, "\(name)")
                records += 1
            }
        }
        #expect(records > 100)
    }
}
