import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks on the store's file before SQLite opens it.
enum StoreFile {
    /// Whether `path` exists; throws `.invalidArgument` when it exists but is not a regular file
    /// (SQLite would otherwise write `/dev/full-journal` beside `--db /dev/full`). A symbolic link
    /// to a regular file is accepted.
    static func checkRegular(_ path: String) throws(StoreError) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return false }
            throw StoreError(.io, path: path, operation: "open", message: String(cString: strerror(errno)))
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            throw StoreError(.invalidArgument, path: path, operation: "open",
                             message: "not a regular file (\(describe(type))); the store must be a regular file")
        }
        return true
    }

    /// Sets `path` and its existing `-wal`/`-shm` files to 0600 when group or others may use
    /// them; returns a remark for each file changed.
    static func tightenPermissions(_ path: String) throws(StoreError) -> [String] {
        var notes: [String] = []
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let mode = info.st_mode & 0o777
            guard mode & 0o077 != 0 else { continue }
            guard chmod(file, 0o600) == 0 else {
                throw StoreError(.io, path: path, operation: "open",
                                 message: "\(file) is readable by others (mode \(octal(mode))) and chmod 0600 failed: \(String(cString: strerror(errno)))")
            }
            notes.append("\(file) was mode \(octal(mode)): set to 0600 (the store holds who read which secret)")
        }
        return notes
    }

    private static func octal(_ mode: mode_t) -> String { "0" + String(mode, radix: 8) }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a directory"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
