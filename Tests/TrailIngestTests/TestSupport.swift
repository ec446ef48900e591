import CZlib
import Foundation

@testable import TrailIngest

/// A fresh temporary directory, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        let path = "\(base)/trailingest-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    func url(_ relative: String) -> String { "\(path)/\(relative)" }

    /// Writes `bytes` at `relative`, creating parent directories.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
        let full = url(relative)
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: url(relative), withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum TestError: Error { case zlib(Int32) }

/// gzip-compresses `bytes` as one member with zlib's deflate (windowBits 16 + 15).
func gzipMember(_ bytes: [UInt8], level: Int32 = 6) throws -> [UInt8] {
    var stream = z_stream()
    var rc = deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw TestError.zlib(rc) }
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 64
    var out = [UInt8](repeating: 0, count: bound)
    var input = bytes
    let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
        out.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = uInt(outBuf.count)
            rc = deflate(&stream, Z_FINISH)
            return outBuf.count - Int(stream.avail_out)
        }
    }
    guard rc == Z_STREAM_END else { throw TestError.zlib(rc) }
    return Array(out[..<produced])
}

/// Deterministic pseudo-random JSON-ish text of about `count` bytes (compressible like logs).
func sampleText(_ count: Int, seed: UInt64 = 42) -> [UInt8] {
    var state = seed
    var out: [UInt8] = []
    out.reserveCapacity(count + 128)
    let words = ["eventName", "GetSecretValue", "secretsmanager.amazonaws.com", "us-east-1", "\"userIdentity\"", "{", "}", ":", ",", "arn:aws:iam::123456789012:role/App"]
    while out.count < count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let word = words[Int(state >> 60) % words.count]
        out.append(contentsOf: word.utf8)
        out.append(UInt8(truncatingIfNeeded: 0x30 + (state >> 20) % 10))
    }
    return Array(out[..<count])
}
