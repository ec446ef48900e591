/// Finds the files of an archive: PATHs may be files or directories (walked recursively,
/// following symlinks, each directory once so symlink loops end).
///
/// The order is deterministic whatever the order of the PATHs and of the directory entries:
/// files whose names carry a CloudTrail delivery stamp (`_YYYYMMDDTHHmmZ_`, digest
/// `_YYYYMMDDTHHmmssZ`) come first, by stamp then by full path (bytewise); files without a
/// stamp follow, by path. Inside directories, temporary names (`LogFileName.isTemporary`) are
/// skipped, as are FIFOs, sockets and devices; a file named explicitly as a PATH is always taken.
/// A file reached twice (overlapping PATHs, symlinks, hard links) is reported once, under its
/// smallest spelling. Zero-length files are reported (see `DiscoveredFile`).
public enum ArchiveWalker {
    /// What a walk found: the files in delivery order, and the directories (or entries) below
    /// the PATHs that could not be read, each with its path and reason.
    public struct Walk: Sendable {
        public var files: [DiscoveredFile]
        public var failures: [IngestError]
        /// The directories that were listed, as reported.
        public var directories: [String]
    }

    /// The files under `paths`, in delivery order, and what could not be read below them. A
    /// directory that cannot be listed does not stop the walk.
    /// - Throws: `IngestError` with code `.notFound` for a missing PATH, `.unreadable` for a PATH
    ///   that cannot be examined, `.unsupportedFileType` for a PATH that is neither a file nor a
    ///   directory.
    public static func walk(_ paths: [String]) throws(IngestError) -> Walk {
        try walk(paths, scanner: TreeScanner(strict: true))
    }

    /// `walk` with a given scanner (tests replace its directory lister).
    static func walk(_ paths: [String], scanner: TreeScanner) throws(IngestError) -> Walk {
        var scanner = scanner
        try scanner.scan(roots: paths)
        return Walk(files: ordered(scanner.files.values.map(\.discovered)), failures: scanner.failures, directories: scanner.listed)
    }

    /// The files under `paths`, in delivery order.
    /// - Throws: as `walk`, and the first directory below the PATHs that cannot be listed.
    public static func files(in paths: [String]) throws(IngestError) -> [DiscoveredFile] {
        let result = try walk(paths)
        if let failure = result.failures.first { throw failure }
        return result.files
    }

    /// `files` sorted in delivery order (see the type's documentation).
    public static func ordered(_ files: [DiscoveredFile]) -> [DiscoveredFile] {
        let keyed = files.map { (key: sortKey($0.path), file: $0) }
        return keyed.sorted { a, b in
            if a.key != b.key { return a.key < b.key }
            return a.file.path.utf8.lexicographicallyPrecedes(b.file.path.utf8)
        }.map(\.file)
    }

    /// True when `a` comes before `b` in delivery order.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let ka = sortKey(a)
        let kb = sortKey(b)
        if ka != kb { return ka < kb }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Stamped names first (by stamp), unstamped last.
    private static func sortKey(_ path: String) -> UInt64 {
        LogFileName.deliveryStamp(LogFileName.baseName(path)) ?? UInt64.max
    }
}
