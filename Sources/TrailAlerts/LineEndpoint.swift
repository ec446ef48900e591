import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Standard output or a file, written with `write(2)`: one alert per line, in order.
///
/// A batch counts as delivered only once every byte is written and, for a file, `fsync` has
/// returned; a failed write (a full disk, `/dev/full`, a closed pipe) leaves the alerts pending.
public final class LineEndpoint: @unchecked Sendable {
    private let fd: Int32
    private let syncs: Bool
    public let name: String
    /// Where writes run: a blocked standard output holds only this queue's thread.
    public let queue: DispatchQueue

    /// Standard output (not synced: a pipe or terminal has nothing to sync).
    public static func standardOutput() -> LineEndpoint { LineEndpoint(fd: 1, syncs: false, name: "stdout") }

    /// Opens `path` for appending, creating it with mode 0600.
    public static func appending(to path: String, name: String) throws(DeliveryError) -> LineEndpoint {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DeliveryError(.usage, sink: name, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        // Regular files are synced; a character device (/dev/stdout, /dev/full) or a FIFO cannot be.
        var info = stat()
        let regular = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        return LineEndpoint(fd: fd, syncs: regular, name: name)
    }

    init(fd: Int32, syncs: Bool, name: String) {
        self.fd = fd
        self.syncs = syncs
        self.name = name
        queue = DispatchQueue(label: "trailwatch.sink")
    }

    deinit { if fd > 2 { close(fd) } }

    /// Writes `lines`, each followed by a newline, then syncs. Returns how many leading lines are
    /// confirmed, and the error that stopped the rest (nil when all were).
    public func write(_ lines: [[UInt8]]) -> (confirmed: Int, error: String?) {
        var buffer: [UInt8] = []
        var ends: [Int] = []
        for line in lines {
            buffer.append(contentsOf: line)
            buffer.append(0x0A)
            ends.append(buffer.count)
        }
        var written = 0
        var failure: String?
        buffer.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write alerts: \(String(cString: strerror(errno)))"
                    return
                }
                written += n
            }
        }
        var confirmed = ends.prefix { $0 <= written }.count
        if syncs && confirmed > 0 && fsync(fd) != 0 {
            failure = "cannot sync alerts: \(String(cString: strerror(errno)))"
            confirmed = 0
        }
        return (confirmed, failure)
    }
}
