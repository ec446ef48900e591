import Testing

@testable import TrailIngest

@Suite struct GunzipTests {
    @Test func singleMember() throws {
        let text = sampleText(100_000)
        let gz = try gzipMember(text)
        #expect(Gunzip.isGzip(gz))
        #expect(try Gunzip.inflate(gz, path: "a.gz") == text)
    }

    @Test func multiMemberIsConcatenated() throws {
        let a = sampleText(50_000, seed: 1)
        let b = sampleText(70_000, seed: 2)
        let c = Array("tail".utf8)
        let gz = try gzipMember(a) + gzipMember(b) + gzipMember(c)
        #expect(try Gunzip.inflate(gz, path: "m.gz") == a + b + c)
    }

    @Test func emptyMembersAndZeroPadding() throws {
        #expect(try Gunzip.inflate(try gzipMember([]), path: "e.gz") == [])
        let text = sampleText(1000)
        let padded = try gzipMember(text) + gzipMember([]) + [UInt8](repeating: 0, count: 512)
        #expect(try Gunzip.inflate(padded, path: "p.gz") == text)
    }

    @Test(arguments: [1, 2, 7, 10, 100, 1000])
    func truncatedIsIncompleteWithOffset(cut: Int) throws {
        let gz = try gzipMember(sampleText(20_000))
        let truncated = Array(gz.dropLast(cut))
        do {
            _ = try Gunzip.inflate(truncated, path: "t.gz")
            Issue.record("expected an error")
        } catch {
            #expect(error.isIncomplete)
            #expect(error.code == .truncated)
            #expect(error.byteOffset == truncated.count)
            #expect(error.path == "t.gz")
        }
    }

    @Test func truncatedSecondMemberIsIncomplete() throws {
        let first = try gzipMember(sampleText(5000, seed: 3))
        let second = try gzipMember(sampleText(5000, seed: 4))
        let bytes = first + second.prefix(second.count / 2)
        #expect(throws: IngestError.self) { try Gunzip.inflate(bytes, path: "t2.gz") }
        do {
            _ = try Gunzip.inflate(bytes, path: "t2.gz")
        } catch {
            #expect(error.isIncomplete)
            #expect(error.byteOffset == bytes.count)
        }
    }

    @Test func corruptDataHasOffset() throws {
        var gz = try gzipMember(sampleText(20_000))
        for i in 40..<80 { gz[i] ^= 0xA5 }
        do {
            _ = try Gunzip.inflate(gz, path: "c.gz")
            Issue.record("expected an error")
        } catch {
            #expect(!error.isIncomplete)
            #expect(error.code == .corrupt)
            let offset = try #require(error.byteOffset)
            #expect(offset > 0 && offset <= gz.count)
            #expect(error.description.hasPrefix("c.gz: byte \(offset): "))
        }
    }

    @Test func badChecksumIsCorrupt() throws {
        var gz = try gzipMember(sampleText(3000))
        gz[gz.count - 6] ^= 0xFF  // CRC32 in the trailer
        do {
            _ = try Gunzip.inflate(gz, path: "crc.gz")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.description.contains("check"))
        }
    }

    @Test func badChecksumNamesTheTrailerOffset() throws {
        let first = try gzipMember(sampleText(3000, seed: 5))
        var second = try gzipMember(sampleText(4000, seed: 6))
        second[second.count - 8] ^= 0x01
        let bytes = first + second
        do {
            _ = try Gunzip.inflate(bytes, path: "crc2.gz", inputChunk: 7, outputChunk: 100)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.byteOffset == bytes.count - 8)
            #expect(error.description.hasSuffix("incorrect data check"))
        }
    }

    @Test func badLengthIsCorrupt() throws {
        var gz = try gzipMember(sampleText(3000))
        gz[gz.count - 1] ^= 0x10  // ISIZE in the trailer
        do {
            _ = try Gunzip.inflate(gz, path: "len.gz")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.byteOffset == gz.count - 4)
            #expect(error.description.hasSuffix("incorrect length check"))
        }
    }

    @Test func garbageAfterMemberIsCorrupt() throws {
        let gz = try gzipMember(sampleText(3000)) + Array("garbage".utf8)
        do {
            _ = try Gunzip.inflate(gz, path: "g.gz")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .corrupt)
            #expect(error.byteOffset != nil)
        }
    }

    /// The result never depends on how much input or output zlib is handed per call.
    @Test(arguments: [(1, 1), (1, 4096), (3, 17), (4096, 1), (65536, 65536), (1 << 30, 1 << 30)])
    func sameBytesWhateverTheChunkSizes(inputChunk: Int, outputChunk: Int) throws {
        let a = sampleText(30_000, seed: 7)
        let b = sampleText(9_000, seed: 8)
        let gz = try gzipMember(a) + gzipMember(b)
        let out = try Gunzip.inflate(gz, path: "x.gz", inputChunk: inputChunk, outputChunk: outputChunk)
        #expect(out == a + b)
    }

    @Test func largeOutput() throws {
        // 64 MiB of text through a multi-member stream whose trailer hint is far too small.
        let block = sampleText(1 << 20, seed: 9)
        var expected: [UInt8] = []
        var gz: [UInt8] = []
        let member = try gzipMember(block, level: 1)
        for _ in 0..<64 {
            expected += block
            gz += member
        }
        gz += try gzipMember(Array("x".utf8))
        expected += Array("x".utf8)
        let out = try Gunzip.inflate(gz, path: "big.gz")
        #expect(out.count == expected.count)
        #expect(out == expected)
        #expect(out.capacity < expected.count + expected.count / 4)
    }

    @Test func maxBytesIsEnforced() throws {
        let text = sampleText(100_000)
        let gz = try gzipMember(text)
        #expect(try Gunzip.inflate(gz, path: "ok.gz", maxBytes: 100_000) == text)
        do {
            _ = try Gunzip.inflate(gz, path: "big.gz", maxBytes: 99_999)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.description.contains("99999"))
        }
        let multi = gz + gz
        #expect(throws: IngestError.self) { try Gunzip.inflate(multi, path: "m.gz", maxBytes: 150_000) }
    }

    @Test func capacityHintUsesTrailer() throws {
        let text = sampleText(123_457)
        let gz = try gzipMember(text)
        let hint = gz.withUnsafeBytes { Gunzip.capacityHint($0, maxBytes: 1 << 31) }
        #expect(hint == 123_457)
        // A truncated file's last four bytes are not a trailer: the hint stays modest.
        var partial = Array(gz.prefix(1000))
        partial.replaceSubrange(996..<1000, with: [0xFF, 0xFF, 0xFF, 0x7F])
        let partialHint = partial.withUnsafeBytes { Gunzip.capacityHint($0, maxBytes: 1 << 31) }
        #expect(partialHint <= 1000 * 64 + 65536)
    }
}
