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
    /// The largest content accepted by default: 128 MiB after decompression. CloudTrail's own
    /// log files are at most tens of MB uncompressed, so this refuses only files made to exhaust
    /// memory (a few MB of gzip can inflate to gigabytes).
    public static let defaultMaxBytes = 128 << 20

    /// Reads and, when it is gzip, inflates the file at `path`.
    /// - Parameter maxBytes: the largest content accepted (decompressed size for gzip, file size
    ///   otherwise); beyond it the result is an error with code `.tooLarge`, raised while
    ///   inflating, as soon as the output passes the limit.
    public static func read(path: String, maxBytes: Int = defaultMaxBytes) throws(IngestError) -> FileContent {
        let stored = try readStored(path: path, maxBytes: maxBytes)
        return try content(of: stored, path: path, maxBytes: maxBytes)
    }

    /// Reads the file's bytes as stored and fingerprints them, without inflating.
    /// - Parameters:
    ///   - path: the path as reported (in errors and the ledger).
    ///   - systemPath: the path's exact bytes when they differ from `path` (names that are not
    ///     UTF-8, which `path` shows escaped); nil to open `path` itself.
    public static func readStored(
        path: String, systemPath: [UInt8]? = nil, maxBytes: Int = defaultMaxBytes
    ) throws(IngestError) -> StoredFile {
        let bytes = try readRaw(path: path, systemPath: systemPath, maxBytes: maxBytes)
        return StoredFile(bytes: bytes, fingerprint: ContentFingerprint.hex(bytes))
    }

    /// The content of a stored file: inflated when it is gzip, else its bytes unchanged.
    public static func content(of stored: StoredFile, path: String, maxBytes: Int = defaultMaxBytes) throws(IngestError) -> FileContent {
        let raw = stored.bytes
        if Gunzip.isGzip(raw) {
            let bytes = try Gunzip.inflate(raw, path: path, maxBytes: maxBytes)
            return FileContent(bytes: bytes, compressedSize: stored.size, fingerprint: stored.fingerprint, wasGzip: true)
        }
        if raw.count == 1 && raw[0] == 0x1F {
            // The first byte of a gzip header and nothing else: a file whose writing has just begun.
            throw IngestError(
                path: path, byteOffset: 1,
                reason: "gzip stream ends early (truncated after 1 byte; the file may still be being written)",
                code: .truncated)
        }
        return FileContent(bytes: raw, compressedSize: stored.size, fingerprint: stored.fingerprint, wasGzip: false)
    }

    /// The file's bytes as stored, read with as few `read` calls as the kernel allows.
    /// A file longer than `maxBytes` is refused before it is read when it is not gzip; a gzip file
    /// may be up to `maxBytes` long too (it can only inflate to more).
    ///
    /// The file is opened without blocking and must be a regular file by `fstat` on the opened
    /// descriptor: a FIFO or device swapped in after the walk is refused (code
    /// `.unsupportedFileType`) instead of blocking the reader forever.
    public static func readRaw(
        path: String, systemPath: [UInt8]? = nil, maxBytes: Int = defaultMaxBytes
    ) throws(IngestError) -> [UInt8] {
        let fd = try openRegular(path: path, systemPath: systemPath)
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw IngestError(path: path, reason: "cannot stat: \(errnoText(errno))", code: .unreadable)
        }
        let expected = Int(info.st_size)
        if expected > maxBytes {
            throw IngestError(
                path: path, reason: "file is \(expected) bytes, more than the limit of \(maxBytes) bytes (--max-file-size)",
                code: .tooLarge)
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

    /// Opens a regular file for reading. `O_NONBLOCK` makes the open itself return at once
    /// whatever the path names now (opening a FIFO blocks until a writer appears); the type is
    /// then checked on the descriptor, so no swap between the check and the read is possible,
    /// and blocking reads are restored for the regular file.
    static func openRegular(path: String, systemPath: [UInt8]?) throws(IngestError) -> Int32 {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY
        let fd: Int32
        if let systemPath {
            fd = PathBytes.withCString(systemPath) { open($0, flags) }
        } else {
            fd = open(path, flags)
        }
        if fd < 0 {
            let code = errno
            throw IngestError(path: path, reason: "cannot open: \(errnoText(code))", code: openFailure(errno: code))
        }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let code = errno
            close(fd)
            throw IngestError(path: path, reason: "cannot stat: \(errnoText(code))", code: .unreadable)
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            throw IngestError(path: path, reason: "not a regular file (\(typeName(type)))", code: .unsupportedFileType)
        }
        let current = fcntl(fd, F_GETFL)
        if current < 0 || fcntl(fd, F_SETFL, current & ~O_NONBLOCK) != 0 {
            let code = errno
            close(fd)
            throw IngestError(path: path, reason: "cannot clear O_NONBLOCK: \(errnoText(code))", code: .unreadable)
        }
        return fd
    }

    /// A name for a file type from `st_mode & S_IFMT`.
    static func typeName(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        default: "an unknown file type"
        }
    }
}

/// The C library's message for an errno value.
func errnoText(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "errno \(code)" }
    return String(cString: message)
}

extension FileReader {
    /// What a failed `open` means: missing, out of descriptors or memory (tail retries), or
    /// unreadable.
    static func openFailure(errno code: Int32) -> IngestError.Code {
        switch code {
        case ENOENT: .notFound
        case EMFILE, ENFILE, ENOMEM: .exhausted
        default: .unreadable
        }
    }
}
