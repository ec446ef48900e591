import FuzzSupport
import TrailIngest

#if canImport(Glibc)
import Glibc
#endif

@main enum FuzzGunzipMain {
    static func main() { FuzzDriver.run(fuzzGunzip) }
}

/// The largest decompressed size the target accepts, so a bomb is refused rather than fuzzing
/// the machine's memory.
let limit = 1 << 20

/// A scratch file (unlinked at once) that each input is written to, read back by `FileReader`
/// through `/proc/self/fd`; in memory (/dev/shm) where there is one: on disk it costs 90% of the
/// executions.
let scratch: Int32 = {
    let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    var template = Array("\(dir)/trailwatch-fuzz-gunzip-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { fatalError("mkstemp failed") }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    return fd
}()

/// gzip reading on arbitrary bytes: `FileReader.read` of a file holding them (read, fingerprint,
/// magic-number check, inflate: multi-member, trailers, padding, truncation), which must agree
/// with `Gunzip.inflate` and `ContentFingerprint` on the same bytes in memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGunzip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    let fingerprint = ContentFingerprint.hex(bytes)
    if fingerprint.isEmpty { FuzzInput.violated("empty fingerprint") }

    var inMemory: Result<[UInt8], IngestError> = .success(bytes)
    if Gunzip.isGzip(bytes) {
        inMemory = Result { () throws(IngestError) in try Gunzip.inflate(bytes, path: "fuzz.json.gz", maxBytes: limit) }
        let viaPointer: Result<[UInt8], IngestError> = bytes.withUnsafeBytes { raw in
            Result { () throws(IngestError) in try Gunzip.inflate(raw, path: "fuzz.json.gz", maxBytes: limit) }
        }
        if (try? viaPointer.get()) != (try? inMemory.get()) { FuzzInput.violated("the two inflate entry points disagree") }
    }
    switch inMemory {
    case let .success(out):
        if out.count > limit { FuzzInput.violated("inflated \(out.count) bytes past the limit of \(limit)") }
    case let .failure(error):
        _ = error.description
        if let offset = error.byteOffset, offset < 0 || offset > bytes.count {
            FuzzInput.violated("error offset \(offset) outside the \(bytes.count) input bytes")
        }
    }

    guard ftruncate(scratch, 0) == 0, bytes.withUnsafeBytes({ pwrite(scratch, $0.baseAddress, $0.count, 0) }) == bytes.count else {
        fatalError("cannot write the scratch file")
    }
    do {
        let content = try FileReader.read(path: "/proc/self/fd/\(scratch)", maxBytes: limit)
        if content.compressedSize != Int64(bytes.count) { FuzzInput.violated("compressedSize \(content.compressedSize)") }
        if content.fingerprint != fingerprint { FuzzInput.violated("FileReader's fingerprint differs") }
        if content.wasGzip != Gunzip.isGzip(bytes) { FuzzInput.violated("wasGzip is \(content.wasGzip)") }
        if content.bytes.count > limit { FuzzInput.violated("read \(content.bytes.count) bytes past the limit") }
        if let expected = try? inMemory.get(), content.bytes != expected, bytes.count <= limit {
            FuzzInput.violated("FileReader and Gunzip disagree")
        }
    } catch {
        _ = error.description
    }
    return 0
}
