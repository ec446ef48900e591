import Crypto
import Foundation
import Testing
@testable import TrailVerify

/// The streamed hash equals SHA-256 of the whole uncompressed content, whatever the chunking.
@Suite struct ContentHasherTests {
    /// `gzip -c` of `bytes`, with the system gzip.
    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hasher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("x")
        try Data(bytes).write(to: plain)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-k", plain.path]
        try p.run()
        p.waitUntilExit()
        return [UInt8](try Data(contentsOf: dir.appendingPathComponent("x.gz")))
    }

    func hash(_ file: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hasher-\(UUID().uuidString).gz")
        try Data(file).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var hasher = ContentHasher()
        return try hasher.hash(path: url.path).sha256
    }

    func expected(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }

    /// Text that compresses well and spans several chunks, with some random runs.
    func content(_ size: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var out: [UInt8] = []
        out.reserveCapacity(size)
        let word = Array("{\"eventName\":\"GetSecretValue\"},".utf8)
        while out.count < size {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if state >> 60 == 0 { out.append(UInt8(truncatingIfNeeded: state >> 32)) } else { out.append(contentsOf: word) }
        }
        return Array(out.prefix(size))
    }

    @Test(arguments: [0, 1, 1000, ContentHasher.chunkSize, ContentHasher.chunkSize * 5 + 17])
    func gzipFilesHashTheirContent(size: Int) throws {
        let plain = content(size, seed: UInt64(size) + 1)
        #expect(try hash(try gzip(plain)) == expected(plain))
    }

    @Test func plainFilesHashAsThemselves() throws {
        let plain = content(ContentHasher.chunkSize + 5, seed: 9)
        #expect(try hash(plain) == expected(plain))
    }

    @Test func multiMemberGzipHashesAllMembers() throws {
        let a = content(300_000, seed: 1), b = content(70_000, seed: 2)
        #expect(try hash(try gzip(a) + gzip(b)) == expected(a + b))
        #expect(try hash(try gzip(a) + [0, 0, 0, 0]) == expected(a))
    }

    @Test func truncatedAndDamagedGzipAreErrors() throws {
        let packed = try gzip(content(400_000, seed: 3))
        #expect(throws: VerifyError.self) { try hash(Array(packed.prefix(packed.count / 2))) }
        var damaged = packed
        for i in 20..<60 { damaged[i] ^= 0x5A }
        #expect(throws: VerifyError.self) { try hash(damaged) }
    }

    @Test func missingFileIsAnError() {
        var hasher = ContentHasher()
        #expect(throws: VerifyError.self) { try hasher.hash(path: "/nonexistent/trailwatch/x.json.gz") }
    }
}
