import FuzzSupport
import TrailIngest

/// gzip reading on arbitrary bytes, as `FileReader.read` does it after reading a file: the
/// content fingerprint, the magic-number check and inflating (multi-member, trailers, padding),
/// with a small output limit so a bomb is refused rather than exhausting memory.
@main enum FuzzGunzipMain {
    static func main() { FuzzDriver.run(fuzzGunzip) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGunzip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    let fingerprint = ContentFingerprint.hex(bytes)
    if fingerprint.isEmpty { FuzzInput.violated("empty fingerprint") }
    guard Gunzip.isGzip(bytes) else { return 0 }
    let limit = 1 << 20
    do throws(IngestError) {
        let out = try Gunzip.inflate(bytes, path: "fuzz.json.gz", maxBytes: limit)
        if out.count > limit { FuzzInput.violated("inflated \(out.count) bytes past the limit of \(limit)") }
        // The same bytes through the pointer entry point give the same result.
        let again: Result<[UInt8], IngestError> = bytes.withUnsafeBytes { raw in
            Result { () throws(IngestError) in try Gunzip.inflate(raw, path: "fuzz.json.gz", maxBytes: limit) }
        }
        let againBytes = try again.get()
        if againBytes != out { FuzzInput.violated("the two inflate entry points disagree") }
    } catch {
        _ = error.description
        if let offset = error.byteOffset, offset < 0 || offset > bytes.count {
            FuzzInput.violated("error offset \(offset) outside the \(bytes.count) input bytes")
        }
    }
    return 0
}
