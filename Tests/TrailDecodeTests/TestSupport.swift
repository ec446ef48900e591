import Foundation
import Testing
import TrailDecode
import TrailJSON
import TrailModel

/// Errors the test helpers raise instead of crashing.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The bytes of a committed fixture.
func fixture(_ name: String) throws -> [UInt8] {
    guard let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil) else {
        throw TestFailure("missing fixture \(name)")
    }
    return [UInt8](try Data(contentsOf: url))
}

/// Decodes UTF-8 text.
func decode(_ text: String, path: String = "test.json") throws(DecodeError) -> DecodedFile {
    try RecordDecoder.decode(Array(text.utf8), path: path)
}

/// Decodes and normalises every record of `bytes`; throws on a record that does not normalise.
func events(_ bytes: [UInt8], path: String = "test.json") throws -> [AuditEvent] {
    let file = try RecordDecoder.decode(bytes, path: path)
    return try file.records.map { r in try Normaliser().normalise(r).get() }
}

/// Normalises a single record given as JSON text.
func event(_ record: String) throws -> AuditEvent {
    let all = try events(Array(record.utf8))
    guard all.count == 1, let e = all.first else { throw TestFailure("expected one event, got \(all.count)") }
    return e
}

/// A minimal valid record with `extra` members (JSON text without braces) appended.
func record(_ extra: String = "", id: String = "11111111-2222-3333-4444-555555555555",
            time: String = "2024-06-03T10:00:00Z") -> String {
    var s = #"{"eventVersion":"1.08","eventID":"\#(id)","eventTime":"\#(time)","awsRegion":"us-east-1","recipientAccountId":"123456789012""#
    if !extra.isEmpty { s += "," + extra }
    return s + "}"
}

/// Directory of the shared corpus when it exists beside the package (`../shared/corpus/real`).
func sharedCorpusDirectory() -> URL? {
    var dir = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { dir.deleteLastPathComponent() } // Tests/TrailDecodeTests/TestSupport.swift → package root
    let candidates = [
        dir.deletingLastPathComponent().appendingPathComponent("shared/corpus/real"),
        dir.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus/real"),
    ]
    return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
}
