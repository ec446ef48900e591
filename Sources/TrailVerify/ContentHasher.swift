import CZlib
import Crypto
import TrailIngest

#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of a file's uncompressed content, streamed: the file is read, inflated (when it is
/// gzip, by its magic bytes; multi-member too) and hashed chunk by chunk, so memory stays at two
/// buffers whatever the file's size, and each byte is inflated and hashed once.
///
/// zlib's own CRC-32 check is turned off: the SHA-256 compared against the digest is the
/// stronger check, and the CRC costs a quarter of the inflating. A stream that ends early or is
/// damaged is still an error.
public struct ContentHasher: ~Copyable {
    /// Size of the read and inflate buffers.
    public static let chunkSize = 256 * 1024

    private let input: UnsafeMutablePointer<UInt8>
    private let output: UnsafeMutablePointer<UInt8>
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamReady = false

    public init() {
        input = .allocate(capacity: Self.chunkSize)
        output = .allocate(capacity: Self.chunkSize)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if streamReady { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        output.deallocate()
    }

    /// The SHA-256 (lower-case hex) of the uncompressed content of the file at `path`, and that
    /// content's size in bytes.
    public mutating func hash(path: String) throws(VerifyError) -> (sha256: String, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VerifyError(path: path, code: .unreadable, reason: "cannot open: \(errnoText(errno))") }
        defer { close(fd) }
        var hasher = SHA256()
        var size = 0
        var first = try readSome(fd, path: path)
        if Gunzip.isGzip(UnsafeRawBufferPointer(start: input, count: first)) {
            try startStream(path: path)
            var consumedTotal = 0
            var memberOpen = true
            while true {
                stream.pointee.next_in = input
                stream.pointee.avail_in = UInt32(first)
                // Loop while input remains, or while the last call filled the output (zlib may
                // hold more output for the input it has already taken).
                var outputFull = false
                drain: while stream.pointee.avail_in > 0 || outputFull {
                    if !memberOpen {
                        // Bytes after a finished member: another member, or zero padding.
                        let rest = UnsafeBufferPointer(start: stream.pointee.next_in, count: Int(stream.pointee.avail_in))
                        if rest.allSatisfy({ $0 == 0 }) { break }
                        guard inflateReset(stream) == Z_OK else {
                            throw VerifyError(path: path, code: .corruptGzip, byteOffset: consumedTotal, reason: "zlib could not be reset")
                        }
                        memberOpen = true
                    }
                    stream.pointee.next_out = output
                    stream.pointee.avail_out = UInt32(Self.chunkSize)
                    let rc = inflate(stream, Z_NO_FLUSH)
                    let produced = Self.chunkSize - Int(stream.pointee.avail_out)
                    if produced > 0 {
                        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: output, count: produced))
                        size += produced
                    }
                    outputFull = stream.pointee.avail_out == 0
                    switch rc {
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR:
                        if outputFull { continue }
                        break drain
                    case Z_STREAM_END:
                        memberOpen = false
                        outputFull = false
                    default:
                        let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                        let at = consumedTotal + (first - Int(stream.pointee.avail_in))
                        throw VerifyError(path: path, code: .corruptGzip, byteOffset: at, reason: "corrupt gzip data: \(message)")
                    }
                }
                consumedTotal += first
                first = try readSome(fd, path: path)
                if first == 0 { break }
            }
            if memberOpen {
                throw VerifyError(
                    path: path, code: .corruptGzip, byteOffset: consumedTotal,
                    reason: "gzip stream ends early (truncated after \(consumedTotal) bytes)")
            }
        } else {
            while first > 0 {
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: input, count: first))
                size += first
                first = try readSome(fd, path: path)
            }
        }
        return (Hex.encode(hasher.finalize()), size)
    }

    private mutating func startStream(path: String) throws(VerifyError) {
        if streamReady {
            guard inflateReset(stream) == Z_OK else {
                throw VerifyError(path: path, code: .corruptGzip, reason: "zlib could not be reset")
            }
            return
        }
        // 16 + MAX_WBITS: gzip wrapper only.
        guard inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw VerifyError(path: path, code: .corruptGzip, reason: "zlib could not be initialised")
        }
        streamReady = true
        _ = inflateValidate(stream, 0)
    }

    /// Fills `input` as far as one chunk; 0 at end of file.
    private func readSome(_ fd: Int32, path: String) throws(VerifyError) -> Int {
        var done = 0
        while done < Self.chunkSize {
            let n = read(fd, input + done, Self.chunkSize - done)
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw VerifyError(path: path, code: .unreadable, reason: "read failed: \(errnoText(errno))")
            }
        }
        return done
    }
}

/// The C library's message for an errno value.
func errnoText(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "errno \(code)" }
    return String(cString: message)
}
