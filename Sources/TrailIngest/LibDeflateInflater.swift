#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Inflates a whole gzip file with libdeflate, member by member, into one growing buffer.
///
/// The buffer starts at `Gunzip.capacityHint` (ISIZE when plausible, never more than
/// `maxBytes + 1` nor 64 times the input: ISIZE is attacker-controlled and only the last member's
/// size mod 2^32) and grows by doubling up to `maxBytes + 1`; a member that does not fit is
/// inflated again into the larger buffer. libdeflate checks each member's CRC-32 and ISIZE.
///
/// Returns nil whenever the file is not a complete, valid gzip file of at most `maxBytes`
/// (damaged, truncated, garbage after a member, or larger than the limit): the caller then
/// redoes it with zlib, which names the problem and its byte offset exactly as before.
enum LibDeflateInflater {
    private enum Outcome {
        case finished
        case needsSpace
        case failed
    }

    static func inflate(_ compressed: UnsafeRawBufferPointer, maxBytes limit: Int, library: LibDeflate) -> [UInt8]? {
        guard let input = compressed.baseAddress, !compressed.isEmpty else { return nil }
        guard let decompressor = library.alloc() else { return nil }
        defer { library.free(decompressor) }
        var capacity = Gunzip.capacityHint(compressed, maxBytes: limit)
        var produced = 0
        var consumed = 0
        var output: [UInt8] = []
        while true {
            let previous = output
            output = []
            var outcome = Outcome.failed
            output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                guard let destination = buffer.baseAddress else { return }
                if produced > 0 {
                    previous.withUnsafeBufferPointer { old in
                        if let source = old.baseAddress { memcpy(destination, source, produced) }
                    }
                }
                outcome = run(library, decompressor, input: input, count: compressed.count, consumed: &consumed,
                              into: destination, capacity: capacity, produced: &produced)
                initialized = produced
            }
            switch outcome {
            case .finished:
                if produced > limit { return nil }
                // As with zlib: give back a buffer that a multi-member file left mostly unused.
                if capacity - produced > max(produced / 4, 1 << 20) { return Gunzip.exactCopy(output) }
                return output
            case .failed:
                return nil
            case .needsSpace:
                if capacity > limit { return nil }
                capacity = min(max(capacity &* 2, capacity &+ (1 << 20)), limit &+ 1)
            }
        }
    }

    /// Inflates members from `input[consumed...]` into `destination[produced..<capacity]`,
    /// advancing both counts past each complete member. On `needsSpace` the member that did not
    /// fit is not counted (libdeflate may have written part of it; it is inflated again).
    private static func run(
        _ library: LibDeflate, _ decompressor: OpaquePointer, input: UnsafeRawPointer, count: Int, consumed: inout Int,
        into destination: UnsafeMutablePointer<UInt8>, capacity: Int, produced: inout Int
    ) -> Outcome {
        while true {
            var inUsed = 0
            var outUsed = 0
            let rc = library.gzipDecompressEx(
                decompressor, input + consumed, count - consumed, UnsafeMutableRawPointer(destination + produced),
                capacity - produced, &inUsed, &outUsed)
            switch LibDeflate.Result(rawValue: rc) {
            case .success:
                guard inUsed > 0 else { return .failed }
                consumed += inUsed
                produced += outUsed
                if consumed >= count || restIsZero(input, from: consumed, count: count) { return .finished }
            case .insufficientSpace:
                return .needsSpace
            default:
                return .failed
            }
        }
    }

    /// Trailing zero padding after the last member is ignored, as by the zlib path.
    private static func restIsZero(_ input: UnsafeRawPointer, from position: Int, count: Int) -> Bool {
        let bytes = input.assumingMemoryBound(to: UInt8.self)
        var i = position
        while i < count {
            if bytes[i] != 0 { return false }
            i += 1
        }
        return true
    }
}
