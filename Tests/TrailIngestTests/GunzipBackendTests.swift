import Foundation
import Testing
import TrailTestSupport

@testable import TrailIngest

/// libdeflate and zlib give the same bytes and the same errors (code, byte offset, reason) on the
/// same input: corpus files, generated members, and damaged, truncated, padded and oversized ones.
@Suite struct GunzipBackendTests {
    /// Both backends on one input: equal results, or equal errors.
    static func expectSame(_ bytes: [UInt8], maxBytes: Int = Gunzip.defaultMaxBytes, _ label: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let viaZlib = Result { () throws(IngestError) -> [UInt8] in
            try Gunzip.inflate(bytes, path: label, maxBytes: maxBytes, backend: .zlib)
        }
        let viaLibDeflate = Result { () throws(IngestError) -> [UInt8] in
            try Gunzip.inflate(bytes, path: label, maxBytes: maxBytes, backend: .libdeflate)
        }
        #expect(viaZlib == viaLibDeflate, "\(label)", sourceLocation: sourceLocation)
    }

    static var libDeflatePresent: Bool { InflateBackend.loadedLibDeflate != nil }

    @Test("libdeflate is loaded where its runtime library is installed")
    func libDeflateLoadsWhenInstalled() throws {
        let candidates = ["/usr/lib/x86_64-linux-gnu/libdeflate.so.0", "/usr/lib/aarch64-linux-gnu/libdeflate.so.0",
                          "/usr/lib64/libdeflate.so.0", "/usr/lib/libdeflate.so.0"]
        try #require(candidates.contains { FileManager.default.fileExists(atPath: $0) },
                     "libdeflate0 is not installed here: only the zlib path can be tested")
        #expect(Self.libDeflatePresent)
        #expect(LibDeflate.load(name: "libdeflate-does-not-exist.so.9") == nil)
    }

    /// `../shared/corpus/real` beside the package, when it is there (in CI, beside the clone).
    static let corpusRoot: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/corpus/real").standardized.path
        return FileManager.default.fileExists(atPath: root) ? root : nil
    }()

    @Test("the corpus's gzip files inflate to the same bytes",
          .enabled(if: corpusRoot != nil, "needs ../shared/corpus/real (the shared corpus, present in CI beside the clone)"))
    func corpusFiles() throws {
        let root = try #require(Self.corpusRoot)
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".gz") } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(root)/\(file)")))
            let out = try Gunzip.inflate(bytes, path: file, backend: .libdeflate)
            #expect(out == (try Gunzip.inflate(bytes, path: file, backend: .zlib)), "\(file)")
            #expect(!out.isEmpty)
        }
    }

    @Test("single, multi-member, empty, padded and header-flagged members")
    func wellFormed() throws {
        let a = sampleText(70_000, seed: 11)
        let b = sampleText(3_000, seed: 12)
        let one = try gzipMember(a)
        Self.expectSame(one, "one")
        #expect(try Gunzip.inflate(one, path: "one", backend: .libdeflate) == a)
        let multi = try one + gzipMember(b) + gzipMember([]) + gzipMember(Array("x".utf8))
        #expect(try Gunzip.inflate(multi, path: "multi", backend: .libdeflate) == a + b + Array("x".utf8))
        Self.expectSame(multi, "multi")
        Self.expectSame(try gzipMember([]), "empty")
        Self.expectSame(one + [UInt8](repeating: 0, count: 100), "padded")
        // FEXTRA, FNAME, FCOMMENT and FHCRC set (the header CRC is not checked by either).
        var flagged: [UInt8] = [0x1F, 0x8B, 8, 0x1E, 0, 0, 0, 0, 0, 3, 2, 0, 0xAB, 0xCD]
        flagged += Array("name.json".utf8) + [0] + Array("comment".utf8) + [0] + [0x12, 0x34]
        flagged += one.dropFirst(10)
        Self.expectSame(flagged, "flagged")
        #expect(try Gunzip.inflate(flagged, path: "flagged", backend: .libdeflate) == a)
    }

    @Test("truncated anywhere: zlib's truncation error and offset", arguments: [1, 2, 5, 8, 9, 13, 100, 1000, 5000])
    func truncated(cut: Int) throws {
        let gz = try gzipMember(sampleText(20_000, seed: 13)) + gzipMember(sampleText(4_000, seed: 14))
        let truncated = Array(gz.dropLast(cut))
        Self.expectSame(truncated, "t.gz")
        #expect(throws: IngestError.self) { try Gunzip.inflate(truncated, path: "t.gz", backend: .libdeflate) }
        Self.expectSame(Array(gz.prefix(cut)), "head.gz")
    }

    @Test("damaged bytes, checksums, lengths and garbage: the same errors")
    func damaged() throws {
        let gz = try gzipMember(sampleText(30_000, seed: 15))
        var generator = SplitMix64(seed: 42)
        for round in 0..<300 {
            var bytes = gz
            let flips = 1 + Int(generator.next() % 4)
            for _ in 0..<flips {
                let at = Int(generator.next() % UInt64(bytes.count))
                bytes[at] ^= UInt8(truncatingIfNeeded: 1 + generator.next() % 255)
            }
            Self.expectSame(bytes, "damaged-\(round)")
        }
        var crc = gz
        crc[crc.count - 7] ^= 0x40
        Self.expectSame(crc, "crc")
        var length = gz
        length[length.count - 2] ^= 0x01
        Self.expectSame(length, "isize")
        Self.expectSame(gz + Array("garbage".utf8), "garbage")
        Self.expectSame(gz + [0, 0, 1], "nonzero padding")
        Self.expectSame([0x1F, 0x8B], "magic only")
        Self.expectSame([0x1F, 0x8B, 9, 0, 0, 0, 0, 0, 0, 3] + gz.dropFirst(10), "method 9")
    }

    @Test("over --max-file-size: the same refusal and offset, whatever ISIZE claims")
    func limits() throws {
        let text = sampleText(200_000, seed: 16)
        let gz = try gzipMember(text)
        Self.expectSame(gz, maxBytes: 200_000, "exact")
        Self.expectSame(gz, maxBytes: 199_999, "one over")
        Self.expectSame(gz + gz, maxBytes: 300_000, "second member over")
        // ISIZE lies: small, huge, and past 2^32 wrap-around.
        for isize: UInt32 in [0, 1, 1000, 0xFFFF_FFFF, 0x7FFF_FFFF] {
            var lying = gz
            withUnsafeBytes(of: isize.littleEndian) { lying.replaceSubrange((lying.count - 4)..., with: $0) }
            Self.expectSame(lying, maxBytes: 1 << 20, "isize \(isize)")
        }
        // A bomb: 64 MiB of zeros from a few tens of KB, refused at 1 MiB by both.
        let bomb = try gzipMember([UInt8](repeating: 0x20, count: 64 << 20), level: 9)
        Self.expectSame(bomb, maxBytes: 1 << 20, "bomb")
        do {
            _ = try Gunzip.inflate(bomb, path: "bomb", maxBytes: 1 << 20, backend: .libdeflate)
            Issue.record("expected the limit")
        } catch {
            #expect(error.code == .tooLarge)
        }
    }
}
