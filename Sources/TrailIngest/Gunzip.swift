import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming gzip decompression with the system zlib.
///
/// Handles multi-member gzip (concatenated members, as `cat a.gz b.gz` or some log shippers
/// produce) by resetting the inflater after each member while input remains; trailing zero
/// padding after the last member is ignored. A stream that ends early is an `IngestError` with
/// `isIncomplete == true` and the compressed offset where input ran out; damaged data is an
/// `IngestError` (code `.corrupt`) with the compressed offset where zlib gave up.
///
/// The output buffer is sized from the gzip trailer (ISIZE) so a single-member file inflates
/// straight into an array of exactly the right size, with no per-chunk copies.
///
/// Each member's CRC-32 and length are checked against its trailer here, with `CRC32` on the
/// bytes just inflated, rather than by zlib, whose table-driven CRC cost a quarter as much as the
/// inflating itself. (The optional CRC-16 of a gzip header is not checked.)
///
/// When libdeflate can be loaded (`InflateBackend.active`), each member is inflated by it in one
/// call into the same buffer, sized the same way and never beyond `maxBytes + 1`; a member that
/// does not fit grows the buffer and is inflated again. Any failure of libdeflate (damaged or
/// truncated data, output over the limit) redoes the file with zlib, so errors are zlib's, to the
/// byte offset, whichever backend is in use.
public enum Gunzip {
    /// The largest decompressed size accepted by default (2 GiB).
    public static let defaultMaxBytes = 1 << 31

    /// True when `bytes` starts with the gzip magic number (1f 8b).
    public static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// True when `bytes` starts with the gzip magic number (1f 8b).
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates a complete gzip file (one or more members).
    /// - Parameters:
    ///   - compressed: the bytes as stored on disk.
    ///   - path: used in errors only.
    ///   - maxBytes: the largest decompressed size accepted; beyond it the result is an error
    ///     with code `.tooLarge`.
    public static func inflate(
        _ compressed: [UInt8], path: String, maxBytes: Int = defaultMaxBytes
    ) throws(IngestError) -> [UInt8] {
        try inflate(compressed, path: path, maxBytes: maxBytes, backend: InflateBackend.active)
    }

    /// Inflates a complete gzip file (one or more members) held in memory the caller owns.
    public static func inflate(
        _ compressed: UnsafeRawBufferPointer, path: String, maxBytes: Int = defaultMaxBytes
    ) throws(IngestError) -> [UInt8] {
        try inflateResult(compressed, path: path, maxBytes: maxBytes, backend: InflateBackend.active).get()
    }

    /// As `inflate`, with the backend chosen by the caller (tests run both). `.libdeflate` when
    /// the library is absent is zlib.
    static func inflate(
        _ compressed: [UInt8], path: String, maxBytes: Int = defaultMaxBytes, backend: InflateBackend
    ) throws(IngestError) -> [UInt8] {
        let result: Result<[UInt8], IngestError> = compressed.withUnsafeBytes { raw in
            inflateResult(raw, path: path, maxBytes: maxBytes, backend: backend)
        }
        return try result.get()
    }

    private static func inflateResult(
        _ compressed: UnsafeRawBufferPointer, path: String, maxBytes: Int, backend: InflateBackend
    ) -> Result<[UInt8], IngestError> {
        if backend == .libdeflate, let library = InflateBackend.loadedLibDeflate,
           let output = LibDeflateInflater.inflate(compressed, maxBytes: max(0, maxBytes), library: library) {
            return .success(output)
        }
        return inflateResult(compressed, path: path, maxBytes: maxBytes, inputChunk: 1 << 30, outputChunk: 1 << 30)
    }

    /// As `inflate`, with the amounts of input and output handed to zlib per call made explicit,
    /// so tests can show that the result does not depend on them.
    static func inflate(
        _ compressed: [UInt8], path: String, maxBytes: Int = defaultMaxBytes, inputChunk: Int, outputChunk: Int
    ) throws(IngestError) -> [UInt8] {
        let result: Result<[UInt8], IngestError> = compressed.withUnsafeBytes { raw in
            inflateResult(raw, path: path, maxBytes: maxBytes, inputChunk: inputChunk, outputChunk: outputChunk)
        }
        return try result.get()
    }

    /// An output-size hint from the gzip trailer: ISIZE (the last member's size mod 2^32) when it
    /// is plausible, else a multiple of the compressed size. It is capped at 64 times the input
    /// (JSON logs compress about 8 to 20 times; a file still being written has no trailer, and
    /// its last four bytes must not make us reserve gigabytes) and at `maxBytes + 1`; more
    /// compressible input simply grows the buffer.
    static func capacityHint(_ compressed: UnsafeRawBufferPointer, maxBytes: Int) -> Int {
        let total = compressed.count
        var hint = total &* 8
        if total >= 18 {
            let isize = Int(compressed.loadUnaligned(fromByteOffset: total - 4, as: UInt32.self).littleEndian)
            if isize >= total / 2 { hint = isize }
        }
        let ceiling = min(maxBytes &+ 1, total &* 64 &+ 65536)
        return max(1, min(hint, ceiling))
    }

    private static func inflateResult(
        _ compressed: UnsafeRawBufferPointer, path: String, maxBytes: Int, inputChunk: Int, outputChunk: Int
    ) -> Result<[UInt8], IngestError> {
        guard let inflater = Inflater(compressed, path: path, inputChunk: inputChunk, outputChunk: outputChunk) else {
            return .failure(IngestError(path: path, reason: "zlib could not be initialised", code: .corrupt))
        }
        defer { inflater.close() }
        let limit = max(0, maxBytes)
        var capacity = capacityHint(compressed, maxBytes: limit)
        var produced = 0
        var output: [UInt8] = []
        while true {
            let previous = output
            var outcome = Inflater.Outcome.needsSpace
            output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                guard let destination = buffer.baseAddress else { return }
                if produced > 0 {
                    previous.withUnsafeBufferPointer { old in
                        if let source = old.baseAddress { memcpy(destination, source, produced) }
                    }
                }
                outcome = inflater.run(into: destination, capacity: capacity, produced: &produced)
                initialized = produced
            }
            switch outcome {
            case .finished:
                if produced > limit { return .failure(tooLarge(path, limit, inflater.position)) }
                // A multi-member file whose trailer under-stated the total can leave up to half
                // the buffer unused; give it back when that is worth a copy.
                if capacity - produced > max(produced / 4, 1 << 20) { return .success(exactCopy(output)) }
                return .success(output)
            case .failed(let error):
                return .failure(error)
            case .needsSpace:
                if capacity > limit { return .failure(tooLarge(path, limit, inflater.position)) }
                capacity = min(max(capacity &* 2, capacity &+ (1 << 20)), limit &+ 1)
            }
        }
    }

    /// A copy whose storage is no larger than its contents.
    static func exactCopy(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { buffer, initialized in
            bytes.withUnsafeBufferPointer { source in
                if let to = buffer.baseAddress, let from = source.baseAddress { memcpy(to, from, source.count) }
            }
            initialized = bytes.count
        }
    }

    private static func tooLarge(_ path: String, _ limit: Int, _ offset: Int) -> IngestError {
        IngestError(
            path: path, byteOffset: offset,
            reason: "decompressed content exceeds the limit of \(limit) bytes (--max-file-size); refused before inflating the rest",
            code: .tooLarge)
    }
}

/// One zlib inflate stream over an in-memory input, kept at a stable address (zlib keeps a
/// back-pointer to its `z_stream`).
private final class Inflater {
    enum Outcome {
        case finished
        case needsSpace
        case failed(IngestError)
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>?
    private let inputCount: Int
    private let path: String
    private let inputChunk: Int
    private let outputChunk: Int
    private var closed = false
    /// CRC-32 and length (mod 2^32) of the current member's output so far.
    private var memberCRC: UInt32 = 0
    private var memberSize: UInt32 = 0

    init?(_ compressed: UnsafeRawBufferPointer, path: String, inputChunk: Int, outputChunk: Int) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        if let base = compressed.baseAddress {
            input = UnsafeMutableRawPointer(mutating: base).assumingMemoryBound(to: UInt8.self)
        } else {
            input = nil
        }
        inputCount = compressed.count
        self.path = path
        self.inputChunk = max(1, min(inputChunk, Int(UInt32.max)))
        self.outputChunk = max(1, min(outputChunk, Int(UInt32.max)))
        // 16 + MAX_WBITS: gzip wrapper only, 32 KiB window.
        let rc = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        // The trailer is checked in `memberEnded`, with a faster CRC than zlib's.
        if rc != Z_OK || inflateValidate(stream, 0) != Z_OK {
            if rc == Z_OK { inflateEnd(stream) }
            stream.deinitialize(count: 1)
            stream.deallocate()
            closed = true
            return nil
        }
        stream.pointee.next_in = input
        stream.pointee.avail_in = 0
    }

    deinit { close() }

    func close() {
        if closed { return }
        closed = true
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Offset of the next unread compressed byte.
    var position: Int {
        guard let input, let next = stream.pointee.next_in else { return 0 }
        return input.distance(to: next)
    }

    /// Inflates into `destination[produced..<capacity]`, advancing `produced`.
    func run(into destination: UnsafeMutablePointer<UInt8>, capacity: Int, produced: inout Int) -> Outcome {
        while true {
            if stream.pointee.avail_in == 0, let input {
                let position = self.position
                if position < inputCount {
                    stream.pointee.next_in = input + position
                    stream.pointee.avail_in = UInt32(min(inputCount - position, inputChunk))
                }
            }
            let room = capacity - produced
            if room <= 0 { return .needsSpace }
            stream.pointee.next_out = destination + produced
            stream.pointee.avail_out = UInt32(min(room, outputChunk))
            let before = produced
            let rc = CZlib.inflate(stream, Z_NO_FLUSH)
            if let next = stream.pointee.next_out { produced = destination.distance(to: next) }
            if produced > before {
                memberCRC = CRC32.update(memberCRC, destination + before, count: produced - before)
                memberSize &+= UInt32(truncatingIfNeeded: produced - before)
            }
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if let failure = memberEnded() { return .failed(failure) }
                let position = self.position
                if position >= inputCount || restIsZero(from: position) { return .finished }
                // Another gzip member follows: start over on it.
                if inflateReset(stream) != Z_OK { return .failed(corrupt("zlib could not be reset", at: position)) }
            case Z_BUF_ERROR:
                if stream.pointee.avail_out == 0 { continue }
                if stream.pointee.avail_in == 0 && position < inputCount { continue }
                if stream.pointee.avail_in == 0 {
                    return .failed(IngestError(
                        path: path, byteOffset: inputCount,
                        reason: "gzip stream ends early (truncated after \(inputCount) bytes; the file may still be being written)",
                        code: .truncated))
                }
                return .failed(corrupt("zlib made no progress", at: position))
            case Z_MEM_ERROR:
                return .failed(corrupt("zlib ran out of memory", at: position))
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                return .failed(corrupt("corrupt gzip data: \(message)", at: position))
            }
        }
    }

    /// Checks the trailer of the member that just ended (its last eight bytes, which zlib has
    /// consumed: CRC-32 then ISIZE, little-endian) and starts the counts for the next one.
    private func memberEnded() -> IngestError? {
        let end = position
        guard let input, end >= 8 else { return corrupt("gzip member without a trailer", at: end) }
        let trailer = UnsafeRawPointer(input + end - 8)
        let crc = UInt32(littleEndian: trailer.loadUnaligned(as: UInt32.self))
        let size = UInt32(littleEndian: trailer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        defer {
            memberCRC = 0
            memberSize = 0
        }
        if crc != memberCRC { return corrupt("corrupt gzip data: incorrect data check", at: end - 8) }
        if size != memberSize { return corrupt("corrupt gzip data: incorrect length check", at: end - 4) }
        return nil
    }

    private func restIsZero(from position: Int) -> Bool {
        guard let input else { return true }
        var i = position
        while i < inputCount {
            if input[i] != 0 { return false }
            i += 1
        }
        return true
    }

    private func corrupt(_ reason: String, at offset: Int) -> IngestError {
        IngestError(path: path, byteOffset: offset, reason: reason, code: .corrupt)
    }
}
