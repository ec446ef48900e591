#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or directory's identity on its filesystem (device and inode), used to visit each
/// directory once (symlink loops, overlapping PATHs) and to report each file once.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
}

/// What `stat` says about a path, reduced to what ingestion needs.
struct FileStatus: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case regular, directory, other }
    var kind: Kind
    var size: Int64
    var modifiedNanoseconds: Int64
    var identity: FileIdentity

    /// `stat` (following symlinks); nil with `errno` set when it fails.
    static func of(_ path: String) -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let kind: Kind = type == S_IFREG ? .regular : (type == S_IFDIR ? .directory : .other)
        #if canImport(Darwin)
        let mtime = Int64(info.st_mtimespec.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtimespec.tv_nsec)
        #else
        let mtime = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        #endif
        return FileStatus(
            kind: kind, size: Int64(info.st_size), modifiedNanoseconds: mtime,
            identity: FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }
}

/// Walks directory trees: follows symlinks, visits each directory once, skips temporary names
/// and anything that is neither a regular file nor a directory, and reports each file once
/// (under the smallest of its spellings, byte order).
struct TreeScanner {
    struct File: Sendable {
        var path: String
        var status: FileStatus
    }

    /// When true, a missing or unreadable root or an unreadable directory below it is an error;
    /// when false it is passed over (used while tailing, where directories come and go).
    var strict: Bool
    /// Called with each directory just before it is listed (the tailer adds its inotify watch
    /// there, so an entry created after the listing is seen as an event, never lost between the
    /// two).
    var willList: ((String) -> Void)?
    private(set) var files: [FileIdentity: File] = [:]
    private(set) var directories: [(path: String, identity: FileIdentity)] = []
    private var visited: Set<FileIdentity> = []

    init(strict: Bool) { self.strict = strict }

    /// Removes trailing slashes (keeping "/" itself).
    static func normalise(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// `directory/name`, without doubling the slash after "/".
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Scans `roots` (files or directories), in byte order of their normalised spelling so that
    /// which spelling wins never depends on the order they were given in.
    mutating func scan(roots: [String]) throws(IngestError) {
        let normalised = Set(roots.map(TreeScanner.normalise)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for root in normalised {
            guard !root.isEmpty, let status = FileStatus.of(root) else {
                let code = errno
                if !strict { continue }
                throw IngestError(
                    path: root, reason: root.isEmpty ? "empty path" : errnoText(code),
                    code: (root.isEmpty || code == ENOENT || code == ENOTDIR) ? .notFound : .unreadable)
            }
            switch status.kind {
            case .directory:
                try walk(root, status.identity)
            case .regular:
                add(File(path: root, status: status))
            case .other:
                if strict {
                    throw IngestError(path: root, reason: "not a regular file or directory", code: .unsupportedFileType)
                }
            }
        }
    }

    /// Scans one directory tree (used by the tailer for a directory that appeared).
    mutating func scan(directory: String) {
        guard let status = FileStatus.of(directory), status.kind == .directory else { return }
        try? walk(directory, status.identity)
    }

    private mutating func add(_ file: File) {
        if let existing = files[file.status.identity],
            existing.path.utf8.lexicographicallyPrecedes(file.path.utf8)
        {
            return
        }
        files[file.status.identity] = file
    }

    private mutating func walk(_ root: String, _ identity: FileIdentity) throws(IngestError) {
        guard visited.insert(identity).inserted else { return }
        var stack: [(String, FileIdentity)] = [(root, identity)]
        while let (directory, id) = stack.popLast() {
            directories.append((directory, id))
            willList?(directory)
            let names: [String]
            do throws(IngestError) {
                names = try TreeScanner.list(directory)
            } catch {
                if strict { throw error }
                continue
            }
            var subdirectories: [(String, FileIdentity)] = []
            for name in names where !LogFileName.isTemporary(name) {
                let path = TreeScanner.join(directory, name)
                guard let status = FileStatus.of(path) else { continue }  // dangling link, or gone
                switch status.kind {
                case .regular:
                    add(File(path: path, status: status))
                case .directory:
                    if visited.insert(status.identity).inserted { subdirectories.append((path, status.identity)) }
                case .other:
                    continue
                }
            }
            stack.append(contentsOf: subdirectories.reversed())
        }
    }

    /// The entry names of `directory`, sorted bytewise, without "." and "..".
    static func list(_ directory: String) throws(IngestError) -> [String] {
        guard let handle = opendir(directory) else {
            let code = errno
            throw IngestError(
                path: directory, reason: "cannot list directory: \(errnoText(code))",
                code: code == ENOENT ? .notFound : .unreadable)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name: String? = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(validatingCString: $0)
                }
            }
            guard let name, name != ".", name != ".." else { continue }
            names.append(name)
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return names
    }
}
