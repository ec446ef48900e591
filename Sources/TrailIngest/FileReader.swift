#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one input file: a single read into a buffer, gzip detected by its magic number (never
/// by name) and inflated, anything else passed through unchanged.
///
/// Closed CloudTrail files never change, so a file is read once, from byte 0; a file that is
/// still being written shows up as a truncated gzip stream (`IngestError.isIncomplete`).
public enum FileReader {
    /// Reads and, when it is gzip, inflates the file at `path`.
    /// - Parameter maxBytes: the largest content accepted (decompressed size for gzip, file size
    ///   otherwise); beyond it the result is an error with code `.tooLarge`.
    public static func read(path: String, maxBytes: Int = Gunzip.defaultMaxBytes) throws(IngestError) -> FileContent {
        let raw = try readRaw(path: path, maxBytes: maxBytes)
        let size = Int64(raw.count)
        let fingerprint = ContentFingerprint.hex(raw)
        if Gunzip.isGzip(raw) {
            let bytes = try Gunzip.inflate(raw, path: path, maxBytes: maxBytes)
            return FileContent(bytes: bytes, compressedSize: size, fingerprint: fingerprint, wasGzip: true)
        }
        if raw.count == 1 && raw[0] == 0x1F {
            // The first byte of a gzip header and nothing else: a file whose writing has just begun.
            throw IngestError(
                path: path, byteOffset: 1,
                reason: "gzip stream ends early (truncated after 1 byte; the file may still be being written)",
                code: .truncated)
        }
        return FileContent(bytes: raw, compressedSize: size, fingerprint: fingerprint, wasGzip: false)
    }

    /// The file's bytes as stored, read with as few `read` calls as the kernel allows.
    /// A file longer than `maxBytes` is refused before it is read when it is not gzip; a gzip file
    /// may be up to `maxBytes` long too (it can only inflate to more).
    public static func readRaw(path: String, maxBytes: Int = Gunzip.defaultMaxBytes) throws(IngestError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            throw IngestError(path: path, reason: "cannot open: \(errnoText(code))", code: code == ENOENT ? .notFound : .unreadable)
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw IngestError(path: path, reason: "cannot stat: \(errnoText(errno))", code: .unreadable)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw IngestError(path: path, reason: "not a regular file", code: .unsupportedFileType)
        }
        let expected = Int(info.st_size)
        if expected > maxBytes {
            throw IngestError(
                path: path, reason: "file is \(expected) bytes, more than the limit of \(maxBytes) bytes", code: .tooLarge)
        }
        // Read what fstat promised; a file that grew meanwhile is read again later by the tailer
        // (its size and fingerprint then differ), one that shrank yields what is there.
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: expected) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < expected {
                let n = Glibc.read(fd, base + done, expected - done)
                if n > 0 {
                    done += n
                } else if n == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
            initialized = done
        }
        if failure != 0 {
            throw IngestError(path: path, byteOffset: bytes.count, reason: "read failed: \(errnoText(failure))", code: .unreadable)
        }
        return bytes
    }
}

/// The C library's message for an errno value.
func errnoText(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "errno \(code)" }
    return String(cString: message)
}
