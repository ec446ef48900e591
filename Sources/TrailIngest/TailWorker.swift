import Synchronization
import TrailSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The watcher behind `DirectoryTailer`. Set up on the caller's thread by `startInotify()` or
/// `startPolling()`, then used only by its own thread (`run()`), which is why the unchecked
/// `Sendable` is sound: no two threads touch its state at the same time.
final class TailWorker: @unchecked Sendable {
    // inotify(7) ABI values.
    private static let inCloseWrite: UInt32 = 0x0000_0008
    private static let inMovedTo: UInt32 = 0x0000_0080
    private static let inCreate: UInt32 = 0x0000_0100
    private static let inDeleteSelf: UInt32 = 0x0000_0400
    private static let inMoveSelf: UInt32 = 0x0000_0800
    private static let inQueueOverflow: UInt32 = 0x0000_4000
    private static let inIgnored: UInt32 = 0x0000_8000
    private static let inOnlyDir: UInt32 = 0x0100_0000
    private static let inIsDir: UInt32 = 0x4000_0000
    private static let watchMask: UInt32 = inCloseWrite | inMovedTo | inCreate | inDeleteSelf | inMoveSelf | inOnlyDir

    private let roots: [String]
    /// The mode in use, shared with the tailer (the worker may fall back to polling at run time).
    let mode = Mutex<DirectoryTailer.Mode?>(nil)
    private let continuation: AsyncStream<String>.Continuation
    private let stopFd: Int32
    private let intervalMilliseconds: Int32
    private let watchLimit: Int
    /// Set when a directory could not be watched during the current scan.
    private var watchFailed = false
    private var inotifyFd: Int32 = -1
    private var watches: [Int32: (path: String, identity: FileIdentity)] = [:]
    private var baseline: [String: FileStatus] = [:]

    init(
        roots: [String], continuation: AsyncStream<String>.Continuation, stopFd: Int32, intervalMilliseconds: Int32,
        watchLimit: Int? = nil
    ) {
        self.roots = roots
        self.watchLimit = watchLimit ?? Int.max
        self.continuation = continuation
        self.stopFd = stopFd
        self.intervalMilliseconds = intervalMilliseconds
    }

    /// Creates the inotify instance and watches every directory. False when inotify is not
    /// available or a watch cannot be added (e.g. the per-user watch limit): poll instead.
    func startInotify() -> Bool {
        #if os(Linux)
        let fd = inotify_init1(Int32(O_NONBLOCK | O_CLOEXEC))
        guard fd >= 0 else { return false }
        inotifyFd = fd
        var scanner = watchingScanner()
        try? scanner.scan(roots: roots)
        if watchFailed {
            close(fd)
            inotifyFd = -1
            watches = [:]
            return false
        }
        mode.locked { $0 = .inotify }
        return true
        #else
        return false
        #endif
    }

    /// Records the current state of the trees; later scans report what differs from it.
    func startPolling() {
        baseline = snapshot()
        mode.locked { $0 = .polling }
    }

    func closeDescriptors() {
        if inotifyFd >= 0 { close(inotifyFd) }
        inotifyFd = -1
        close(stopFd)
    }

    /// The thread body: returns when the stop pipe becomes readable.
    func run() {
        defer { closeDescriptors() }
        if inotifyFd >= 0 {
            if runInotify() == .stopped { return }
        }
        runPolling()
    }

    // MARK: polling

    /// A scanner that watches each directory before listing it.
    private func watchingScanner() -> TreeScanner {
        watchFailed = false
        var scanner = TreeScanner(strict: false)
        scanner.willList = { [unowned self] directory in
            if !self.watchFailed && !self.addWatch(directory) { self.watchFailed = true }
        }
        return scanner
    }

    private func runPolling() {
        while waitForStop(timeout: intervalMilliseconds) == false {
            let now = snapshot()
            var changed: [DiscoveredFile] = []
            for (path, status) in now {
                if let before = baseline[path], before == status { continue }
                changed.append(DiscoveredFile(path: path, size: status.size))
            }
            baseline = now
            for file in ArchiveWalker.ordered(changed) { continuation.yield(file.path) }
        }
    }

    private func snapshot() -> [String: FileStatus] {
        var scanner = TreeScanner(strict: false)
        try? scanner.scan(roots: roots)
        var result: [String: FileStatus] = [:]
        for file in scanner.files.values { result[file.path] = file.status }
        return result
    }

    /// Blocks until the stop pipe is readable (true) or `timeout` ms pass (false; -1 waits forever).
    private func waitForStop(timeout: Int32) -> Bool {
        var fds = [pollfd(fd: stopFd, events: Int16(POLLIN), revents: 0)]
        while true {
            let rc = poll(&fds, 1, timeout)
            if rc < 0 && errno == EINTR { continue }
            return rc != 0
        }
    }

    // MARK: inotify

    #if os(Linux)
    private func addWatch(_ path: String) -> Bool {
        if watches.count >= watchLimit { return false }
        let wd = inotify_add_watch(inotifyFd, path, TailWorker.watchMask)
        if wd < 0 {
            // A directory that vanished meanwhile is not a reason to give up on inotify.
            return errno == ENOENT || errno == ENOTDIR || errno == EACCES
        }
        if let status = FileStatus.of(path) {
            watches[wd] = (path, status.identity)
        }
        return true
    }
    #else
    private func addWatch(_ path: String) -> Bool { false }
    #endif

    private enum InotifyEnd { case stopped, fellBackToPolling }

    /// Events were lost or a directory could not be watched (per-user watch limit): poll from now
    /// on, reporting every file once so nothing that landed meanwhile is missed.
    private func fallBackToPolling() {
        if inotifyFd >= 0 { close(inotifyFd) }
        inotifyFd = -1
        watches = [:]
        startPolling()
        let files = baseline.map { DiscoveredFile(path: $0.key, size: $0.value.size) }
        for file in ArchiveWalker.ordered(files) { continuation.yield(file.path) }
    }

    private func runInotify() -> InotifyEnd {
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var fds = [
            pollfd(fd: stopFd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: inotifyFd, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let rc = poll(&fds, 2, -1)
            if rc < 0 {
                if errno == EINTR { continue }
                return .stopped
            }
            if fds[0].revents != 0 { return .stopped }
            if fds[1].revents & Int16(POLLIN) == 0 { continue }
            while true {
                let n = read(inotifyFd, buffer, capacity)
                if n < 0 {
                    if errno == EINTR { continue }
                    break  // EAGAIN: drained
                }
                if n == 0 { break }
                handleEvents(UnsafeRawBufferPointer(start: buffer, count: n))
                if inotifyFd < 0 { return .fellBackToPolling }
            }
        }
    }

    private func handleEvents(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset + 16 <= bytes.count && inotifyFd >= 0 {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + 16
            offset = nameStart + length
            guard offset <= bytes.count else { return }
            var nameEnd = nameStart
            while nameEnd < nameStart + length && bytes[nameEnd] != 0 { nameEnd += 1 }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
            handle(wd: wd, mask: mask, name: name)
        }
    }

    func handle(wd: Int32, mask: UInt32, name: String) {
        if mask & TailWorker.inQueueOverflow != 0 {
            rescanAll()
            return
        }
        if mask & TailWorker.inIgnored != 0 {
            watches[wd] = nil
            return
        }
        guard let directory = watches[wd] else { return }
        if mask & (TailWorker.inMoveSelf | TailWorker.inDeleteSelf) != 0 {
            // Keep the watch only if the directory is still where we think it is (a move within
            // the trees has already re-pointed it through the MOVED_TO of its new parent). A
            // deleted one is gone whatever is at its path now: a directory made again there may
            // even have been given the same inode number.
            let deleted = mask & TailWorker.inDeleteSelf != 0
            if deleted || FileStatus.of(directory.path)?.identity != directory.identity {
                // A root moved or deleted has no parent here to report its return: poll the
                // roots by path from now on, so a directory made again under the same name is
                // read (nothing would be, with its watch gone).
                if roots.contains(where: { TreeScanner.normalise($0) == directory.path }) {
                    fallBackToPolling()
                    return
                }
                #if os(Linux)
                inotify_rm_watch(inotifyFd, wd)
                #endif
                watches[wd] = nil
            }
            return
        }
        guard !name.isEmpty, !LogFileName.isTemporary(name) else { return }
        let path = TreeScanner.join(directory.path, name)
        if mask & TailWorker.inIsDir != 0 {
            if mask & (TailWorker.inCreate | TailWorker.inMovedTo) != 0 { adopt(directory: path) }
            return
        }
        if mask & (TailWorker.inCloseWrite | TailWorker.inMovedTo) != 0 {
            continuation.yield(path)
        }
    }

    /// A directory appeared: watch it and everything below it, and report the files already in
    /// it (they may have landed before the watch existed).
    private func adopt(directory: String) {
        var scanner = watchingScanner()
        // Directories watched and still where their watch says: already walked. (One whose
        // watched path is gone was moved here, and is walked again to re-point its watch.) A
        // symlink to an ancestor inside the new directory then leads nowhere new.
        scanner.markVisited(watches.values.filter { FileStatus.of($0.path)?.identity == $0.identity }.map(\.identity))
        scanner.scan(directory: directory)
        if watchFailed {
            fallBackToPolling()
            return
        }
        let files = scanner.files.values.map { DiscoveredFile(path: $0.path, size: $0.status.size) }
        for file in ArchiveWalker.ordered(files) { continuation.yield(file.path) }
    }

    /// Events were lost: watch every directory again and report every file.
    private func rescanAll() {
        var scanner = watchingScanner()
        try? scanner.scan(roots: roots)
        if watchFailed {
            fallBackToPolling()
            return
        }
        let files = scanner.files.values.map { DiscoveredFile(path: $0.path, size: $0.status.size) }
        for file in ArchiveWalker.ordered(files) { continuation.yield(file.path) }
    }
}
