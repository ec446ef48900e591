import Foundation
import Testing

@testable import TrailIngest

@Suite struct ArchiveWalkerTests {
    static let names = [
        "AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03/111111111111_CloudTrail_us-east-1_20240603T1210Z_bbbbbbbbbbbbbbbb.json.gz",
        "AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03/111111111111_CloudTrail_us-east-1_20240603T1205Z_zzzzzzzzzzzzzzzz.json.gz",
        "AWSLogs/222222222222/CloudTrail/eu-west-1/2024/06/03/222222222222_CloudTrail_eu-west-1_20240603T1205Z_aaaaaaaaaaaaaaaa.json.gz",
        "AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/02/111111111111_CloudTrail_us-east-1_20240602T2355Z_cccccccccccccccc.json.gz",
        "AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2024/06/03/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20240603T120000Z.json.gz",
        "exports/lake.jsonl",
        "exports/a-lookup.json",
    ]

    static let expectedOrder = [
        "AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/02/111111111111_CloudTrail_us-east-1_20240602T2355Z_cccccccccccccccc.json.gz",
        "AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2024/06/03/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20240603T120000Z.json.gz",
        "AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03/111111111111_CloudTrail_us-east-1_20240603T1205Z_zzzzzzzzzzzzzzzz.json.gz",
        "AWSLogs/222222222222/CloudTrail/eu-west-1/2024/06/03/222222222222_CloudTrail_eu-west-1_20240603T1205Z_aaaaaaaaaaaaaaaa.json.gz",
        "AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03/111111111111_CloudTrail_us-east-1_20240603T1210Z_bbbbbbbbbbbbbbbb.json.gz",
        "exports/a-lookup.json",
        "exports/lake.jsonl",
    ]

    func makeTree() throws -> TempDirectory {
        let dir = try TempDirectory()
        for (i, name) in Self.names.enumerated() { try dir.write(name, [UInt8](repeating: 0x41, count: i + 1)) }
        // Temporary names that must be skipped.
        try dir.write("AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03/.111111111111_CloudTrail_us-east-1_20240603T1215Z_x.json.gz.Ab12Cd", [1])
        try dir.write("AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03/111111111111_CloudTrail_us-east-1_20240603T1215Z_y.json.gz.1a2b3c4d", [1])
        try dir.write("AWSLogs/111111111111/CloudTrail/us-east-1/2024/06/03/z.json.gz.tmp", [1])
        try dir.write("exports/b.json.part", [1])
        try dir.write(".sync/state.json", [1])
        return dir
    }

    @Test func deliveryOrderThenPath() throws {
        let dir = try makeTree()
        defer { dir.remove() }
        let files = try ArchiveWalker.files(in: [dir.path])
        #expect(files.map { String($0.path.dropFirst(dir.path.count + 1)) } == Self.expectedOrder)
        let sizes = Dictionary(uniqueKeysWithValues: Self.names.enumerated().map { (dir.url($1), Int64($0 + 1)) })
        for file in files { #expect(file.size == sizes[file.path]) }
    }

    @Test func orderIndependentOfArgumentOrder() throws {
        let dir = try makeTree()
        defer { dir.remove() }
        let parts = [
            dir.url("AWSLogs/222222222222"), dir.url("exports/"), dir.url("AWSLogs/111111111111/CloudTrail"),
            dir.url("AWSLogs/111111111111/CloudTrail-Digest"),
        ]
        let reference = try ArchiveWalker.files(in: parts)
        #expect(reference.count == Self.names.count)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            #expect(try ArchiveWalker.files(in: parts.shuffled(using: &generator)) == reference)
        }
        #expect(reference.map(\.path) == Self.expectedOrder.map { dir.url($0) })
    }

    @Test func duplicatesAndOverlapsReportedOnce() throws {
        let dir = try makeTree()
        defer { dir.remove() }
        let one = dir.url(Self.names[0])
        let files = try ArchiveWalker.files(in: [dir.path, dir.path + "/", dir.url("AWSLogs"), one, one])
        #expect(files.count == Self.names.count)
        #expect(Set(files.map(\.path)).count == files.count)
    }

    @Test func explicitFileAndZeroLength() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let empty = try dir.write("d/empty.json.gz", [])
        let temp = try dir.write("d/x.json.tmp", [1, 2])
        #expect(try ArchiveWalker.files(in: [dir.path]) == [DiscoveredFile(path: empty, size: 0)])
        // A file named explicitly is taken even with a temporary-looking name.
        #expect(try ArchiveWalker.files(in: [temp]) == [DiscoveredFile(path: temp, size: 2)])
    }

    @Test func missingPathIsAnError() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        do {
            _ = try ArchiveWalker.files(in: [dir.path, dir.url("missing")])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.path == dir.url("missing"))
        }
    }

    @Test func symlinkLoopsEnd() throws {
        let dir = try makeTree()
        defer { dir.remove() }
        try FileManager.default.createSymbolicLink(atPath: dir.url("AWSLogs/loop"), withDestinationPath: dir.path)
        try FileManager.default.createSymbolicLink(atPath: dir.url("exports/self"), withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: dir.url("exports/dangling.json"), withDestinationPath: "nowhere")
        let files = try ArchiveWalker.files(in: [dir.path])
        #expect(files.count == Self.names.count)
        #expect(files.map(\.path) == Self.expectedOrder.map { dir.url($0) })
    }

    @Test func nonRegularFilesSkipped() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let fifo = dir.url("a/pipe.json")
        try dir.mkdir("a")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(try ArchiveWalker.files(in: [dir.path]).isEmpty)
        #expect(throws: IngestError.self) { try ArchiveWalker.files(in: [fifo]) }
    }
}
