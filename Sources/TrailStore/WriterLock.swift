import Foundation
import Synchronization
import TrailSync
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The exclusive advisory lock a writer holds on `<db>.lock` for its lifetime.
///
/// `flock` locks belong to the open file description, so a second writer is refused whether it is
/// another process or another `Store` in this one; the kernel drops the lock when the process dies,
/// even after `kill -9`, so a stale lock file never blocks a restart.
final class WriterLock: Sendable {
    /// The lock file's descriptor while the lock is held, else -1.
    private let descriptor = Mutex<Int32>(-1)

    deinit {
        descriptor.locked { if $0 >= 0 { close($0) } }
    }

    /// Takes the lock or throws `.locked` naming the holder's pid. Taking it twice is a no-op.
    func acquire(lockPath: String, dbPath: String) throws(StoreError) {
        try descriptor.locked { descriptor throws(StoreError) in
            if descriptor < 0 { descriptor = try Self.lock(lockPath: lockPath, dbPath: dbPath) }
        }
    }

    /// Opens and locks `lockPath` and writes this process's pid into it; returns the descriptor.
    private static func lock(lockPath: String, dbPath: String) throws(StoreError) -> Int32 {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.io, path: dbPath, operation: "lock", message: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            let holder = WriterLock.readPID(fd)
            close(fd)
            if reason == EWOULDBLOCK {
                let who = holder.map { " (pid \($0))" } ?? ""
                throw StoreError(.locked, path: dbPath, operation: "lock",
                                 message: "the database is in use by another trailwatch process\(who)")
            }
            throw StoreError(.io, path: dbPath, operation: "lock", message: "flock \(lockPath): \(String(cString: strerror(reason)))")
        }
        _ = fchmod(fd, 0o600)
        _ = ftruncate(fd, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return fd
    }

    private static func readPID(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int(text)
    }
}

/// `open(2)`, callable from types that have an `open` member of their own.
func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
