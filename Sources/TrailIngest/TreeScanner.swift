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
        return FileStatus(info)
    }

    /// `stat` of a path given as bytes (which need not be UTF-8); nil with `errno` set when it fails.
    static func of(bytes path: [UInt8]) -> FileStatus? {
        var info = stat()
        guard PathBytes.withCString(path, { stat($0, &info) }) == 0 else { return nil }
        return FileStatus(info)
    }

    private init(_ info: stat) {
        let type = info.st_mode & S_IFMT
        kind = type == S_IFREG ? .regular : (type == S_IFDIR ? .directory : .other)
        #if canImport(Darwin)
        modifiedNanoseconds = Int64(info.st_mtimespec.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtimespec.tv_nsec)
        #else
        modifiedNanoseconds = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
        #endif
        size = Int64(info.st_size)
        identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

/// Walks directory trees: follows symlinks, visits each directory once, skips temporary names
/// and anything that is neither a regular file nor a directory, and reports each file once
/// (under the smallest of its spellings, byte order).
///
/// Names are handled as bytes, so a file or directory whose name is not UTF-8 is found and read
/// like any other (it is reported with the bytes escaped, `PathBytes.display`). A directory
/// below a root that cannot be listed does not stop the walk: it is recorded in `failures` with
/// its reason, and everything else is still found.
struct TreeScanner {
    struct File: Sendable {
        /// The path's exact bytes.
        var rawPath: [UInt8]
        var status: FileStatus
        /// The path as reported (bytes that are not UTF-8 escaped).
        var path: String { PathBytes.display(rawPath) }
        var discovered: DiscoveredFile { DiscoveredFile(rawPath: rawPath, size: status.size) }
    }

    /// When true, a missing or unreadable root is an error; when false it is passed over (used
    /// while tailing, where directories come and go).
    var strict: Bool
    /// Called with each directory just before it is listed (the tailer adds its inotify watch
    /// there, so an entry created after the listing is seen as an event, never lost between the
    /// two).
    var willList: ((String) -> Void)?
    /// Lists a directory: its entry names as bytes. Replaceable so tests can make a listing fail
    /// (tests run as root, for whom permissions do not block reading).
    var lister: ([UInt8]) throws(IngestError) -> [[UInt8]] = TreeScanner.list(bytes:)
    private(set) var files: [FileIdentity: File] = [:]
    private(set) var directories: [(path: String, identity: FileIdentity)] = []
    /// Directories (and entries) below the roots that could not be read, with the reason.
    private(set) var failures: [IngestError] = []
    /// Directories listed successfully (as reported), so that earlier failures can be forgotten.
    private(set) var listed: [String] = []
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
                walk(Array(root.utf8), status.identity)
            case .regular:
                add(File(rawPath: Array(root.utf8), status: status))
            case .other:
                if strict {
                    throw IngestError(path: root, reason: "not a regular file or directory", code: .unsupportedFileType)
                }
            }
        }
    }

    /// Treats the directories with these identities as walked already: the tailer passes the
    /// ones it watches, so a directory that appears holding a symlink to an ancestor does not
    /// walk the whole tree again under new names.
    mutating func markVisited(_ identities: some Sequence<FileIdentity>) {
        visited.formUnion(identities)
    }

    /// Scans one directory tree (used by the tailer for a directory that appeared).
    mutating func scan(directory: String) {
        guard let status = FileStatus.of(directory), status.kind == .directory else { return }
        walk(Array(directory.utf8), status.identity)
    }

    private mutating func add(_ file: File) {
        if let existing = files[file.status.identity], existing.rawPath.lexicographicallyPrecedes(file.rawPath) {
            return
        }
        files[file.status.identity] = file
    }

    private mutating func walk(_ root: [UInt8], _ identity: FileIdentity) {
        guard visited.insert(identity).inserted else { return }
        var stack: [([UInt8], FileIdentity)] = [(root, identity)]
        while let (directory, id) = stack.popLast() {
            let shown = PathBytes.display(directory)
            directories.append((shown, id))
            willList?(shown)
            let names: [[UInt8]]
            do throws(IngestError) {
                names = try lister(directory)
            } catch {
                failures.append(error)
                continue
            }
            listed.append(shown)
            var subdirectories: [([UInt8], FileIdentity)] = []
            for name in names where !LogFileName.isTemporary(String(decoding: name, as: UTF8.self)) {
                let path = PathBytes.join(directory, name)
                guard let status = FileStatus.of(bytes: path) else {
                    // A dangling symlink, or an entry removed since the listing: nothing to read.
                    // Anything else (a symlink loop, an I/O error) is reported.
                    let code = errno
                    if code != ENOENT {
                        failures.append(IngestError(
                            path: PathBytes.display(path), reason: "cannot stat: \(errnoText(code))", code: .unreadable))
                    }
                    continue
                }
                switch status.kind {
                case .regular:
                    add(File(rawPath: path, status: status))
                case .directory:
                    if visited.insert(status.identity).inserted { subdirectories.append((path, status.identity)) }
                case .other:
                    continue
                }
            }
            stack.append(contentsOf: subdirectories.reversed())
        }
    }

    /// The entry names of `directory`, sorted bytewise, without "." and "..", as text (names
    /// that are not UTF-8 escaped).
    static func list(_ directory: String) throws(IngestError) -> [String] {
        try list(bytes: Array(directory.utf8)).map(PathBytes.display)
    }

    /// The entry names of `directory` as bytes, sorted bytewise, without "." and "..".
    static func list(bytes directory: [UInt8]) throws(IngestError) -> [[UInt8]] {
        guard let handle = PathBytes.withCString(directory, { opendir($0) }) else {
            let code = errno
            throw IngestError(
                path: PathBytes.display(directory), reason: "cannot list directory: \(errnoText(code))",
                code: code == ENOENT ? .notFound : .unreadable)
        }
        defer { closedir(handle) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                let code = errno
                if code != 0 {
                    throw IngestError(
                        path: PathBytes.display(directory), reason: "cannot list directory: \(errnoText(code))", code: .unreadable)
                }
                break
            }
            let name: [UInt8] = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) { base in
                    Array(UnsafeBufferPointer(start: base, count: strlen(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self))))
                }
            }
            if name.isEmpty || name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        return names
    }
}
