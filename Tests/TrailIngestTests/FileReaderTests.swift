import Foundation
import Testing

@testable import TrailIngest

@Suite struct FileReaderTests {
    @Test func gzipDetectedByMagicNotName() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let text = Array(#"{"Records":[]}"#.utf8)
        let gz = try gzipMember(text)
        let path = try dir.write("named-plain.json", gz)
        let content = try FileReader.read(path: path)
        #expect(content.wasGzip)
        #expect(content.bytes == text)
        #expect(content.compressedSize == Int64(gz.count))
        #expect(content.fingerprint == ContentFingerprint.hex(gz))
    }

    /// Files made by the gzip tool itself (file name in the header, several members appended
    /// with `>>`) read back exactly.
    @Test func filesMadeByTheGzipTool() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip") || FileManager.default.isExecutableFile(atPath: "/bin/gzip") else { return }
        let dir = try TempDirectory()
        defer { dir.remove() }
        let a = sampleText(40_000, seed: 11)
        let b = sampleText(3_000, seed: 12)
        try dir.write("a.json", a)
        try dir.write("b.json", b)
        let script = "cd '\(dir.path)' && gzip -c a.json > one.json.gz && gzip -9 -c a.json > two.json.gz && gzip -1 -c b.json >> two.json.gz"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try FileReader.read(path: dir.url("one.json.gz")).bytes == a)
        let two = try FileReader.read(path: dir.url("two.json.gz"))
        #expect(two.wasGzip)
        #expect(two.bytes == a + b)
    }

    @Test func plainContentPassesThrough() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let text = Array("{\"eventID\":\"1\"}\n{\"eventID\":\"2\"}\n".utf8)
        let path = try dir.write("lines.json.gz", text)
        let content = try FileReader.read(path: path)
        #expect(!content.wasGzip)
        #expect(content.bytes == text)
        #expect(content.compressedSize == Int64(text.count))
        #expect(content.fingerprint == ContentFingerprint.hex(text))
    }

    @Test func emptyFile() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = try dir.write("empty.json.gz", [])
        let content = try FileReader.read(path: path)
        #expect(content.bytes.isEmpty)
        #expect(!content.wasGzip)
        #expect(content.compressedSize == 0)
    }

    @Test func truncatedFileIsIncomplete() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let gz = try gzipMember(sampleText(10_000))
        let path = try dir.write("half.json.gz", Array(gz.prefix(gz.count / 2)))
        do {
            _ = try FileReader.read(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.isIncomplete)
            #expect(error.byteOffset == gz.count / 2)
            #expect(error.path == path)
        }
        let first = try dir.write("one.json.gz", [0x1F])
        #expect(throws: IngestError.self) { try FileReader.read(path: first) }
    }

    @Test func missingAndDirectoryAreErrors() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        do {
            _ = try FileReader.read(path: dir.url("nope.json"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notFound)
        }
        do {
            _ = try FileReader.read(path: dir.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unsupportedFileType || error.code == .unreadable)
        }
    }

    @Test func maxBytesAppliesToPlainFiles() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = try dir.write("big.json", sampleText(5000))
        #expect(throws: IngestError.self) { try FileReader.read(path: path, maxBytes: 4999) }
        #expect(try FileReader.read(path: path, maxBytes: 5000).bytes.count == 5000)
    }
}

/// Out of descriptors (a flood of connections, a low `ulimit -n`) is a passing condition: tail
/// retries the file instead of recording it as failed for good.
@Suite struct OpenFailureTests {
    @Test func runningOutOfDescriptorsIsRetriedNotFailed() {
        for code in [EMFILE, ENFILE, ENOMEM] {
            let kind = FileReader.openFailure(errno: code)
            #expect(kind == .exhausted)
            #expect(IngestError(path: "p", reason: "r", code: kind).isIncomplete)
        }
        #expect(FileReader.openFailure(errno: ENOENT) == .notFound)
        #expect(FileReader.openFailure(errno: EACCES) == .unreadable)
        #expect(!IngestError(path: "p", reason: "r", code: .unreadable).isIncomplete)
    }
}
