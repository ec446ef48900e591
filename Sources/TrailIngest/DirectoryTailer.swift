import Synchronization
import TrailSync

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Watches directories recursively, including directories created after the start, and reports
/// the paths of files that were closed after writing or renamed into place.
///
/// On Linux it uses inotify (`IN_CLOSE_WRITE`, `IN_MOVED_TO`, `IN_CREATE` for new directories;
/// a queue overflow triggers a rescan that reports every file). With `Options.poll`, or when
/// inotify is unavailable or runs out of watches, it scans the trees every `pollInterval` and
/// reports files that are new or whose size, modification time or inode changed. Temporary names
/// (`LogFileName.isTemporary`) are ignored until renamed. It only reports candidates; it never
/// reads files, and a path may be reported more than once (the file ledger decides what is new).
///
/// Usage: `start()`, then `rescan()` for catch-up (a file landing in between is reported by
/// both), then consume `paths`; `stop()` ends the stream, joins the watcher thread and closes
/// its descriptors. The watcher blocks in `poll(2)`: no busy loop.
public final class DirectoryTailer: Sendable {
    /// How changes are detected.
    public enum Mode: String, Sendable, Equatable {
        case inotify
        case polling
    }

    /// Tailer settings.
    public struct Options: Sendable, Equatable {
        /// Poll instead of using inotify (network and FUSE filesystems where inotify sees nothing).
        public var poll: Bool
        /// Time between scans when polling.
        public var pollInterval: Duration

        /// Test hook: pretend the inotify watch limit is this many watches.
        var watchLimit: Int?

        public init(poll: Bool = false, pollInterval: Duration = .seconds(2)) {
            self.poll = poll
            self.pollInterval = pollInterval
        }
    }

    /// The watched directories, as given (trailing slashes removed).
    public let directories: [String]
    /// The settings.
    public let options: Options
    /// Candidate file paths, in the order changes were seen (a rescan's files in delivery order).
    /// Finishes when the tailer stops.
    public let paths: AsyncStream<String>

    private let continuation: AsyncStream<String>.Continuation
    private let state = Mutex(State())

    private struct State {
        var started = false
        var stopped = false
        var worker: TailWorker?
        var thread: pthread_t?
        var stopWriteFd: Int32 = -1
        /// The wake-up pipe's descriptors as opened (kept after stop, for tests).
        var wakePipe: [Int32] = []
    }

    /// The wake-up pipe's descriptors as opened by `start()` (closed by `stop()`); for tests
    /// that check this tailer's own descriptors, not the whole process's.
    var wakePipeDescriptors: [Int32] { state.locked { $0.wakePipe } }

    /// Checks that every directory exists and is a directory.
    /// - Throws: `IngestError` `.notFound` or `.unreadable` (the CLI exits 2).
    public init(directories: [String], options: Options = Options()) throws(IngestError) {
        let normalised = directories.map(TreeScanner.normalise)
        for directory in normalised {
            guard let status = FileStatus.of(directory) else {
                let code = errno
                throw IngestError(path: directory, reason: errnoText(code), code: code == ENOENT ? .notFound : .unreadable)
            }
            guard status.kind == .directory else {
                throw IngestError(path: directory, reason: "not a directory", code: .unsupportedFileType)
            }
            _ = try TreeScanner.list(directory)  // readable?
        }
        self.directories = normalised
        self.options = options
        (paths, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
    }

    deinit { stop() }

    /// The detection mode in use, once started. It changes from `.inotify` to `.polling` if a new
    /// directory cannot be watched (the per-user inotify watch limit) or the event queue
    /// overflows; every file is then reported once so nothing is missed.
    public var mode: Mode? {
        guard let worker = state.locked({ $0.worker }) else { return nil }
        return worker.mode.locked { $0 }
    }

    /// Starts watching. When this returns, every change from then on will be reported.
    /// Calling it again does nothing.
    public func start() throws(IngestError) {
        let proceed = state.locked { s in
            if s.started || s.stopped { return false }
            s.started = true
            return true
        }
        guard proceed else { return }

        var pipeFds: [Int32] = [-1, -1]
        guard pipe(&pipeFds) == 0 else {
            throw IngestError(path: directories.first ?? "", reason: "cannot create pipe: \(errnoText(errno))", code: .watch)
        }
        for fd in pipeFds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        let worker = TailWorker(
            roots: directories, continuation: continuation, stopFd: pipeFds[0],
            intervalMilliseconds: DirectoryTailer.milliseconds(options.pollInterval),
            watchLimit: options.watchLimit)
        if options.poll || !worker.startInotify() { worker.startPolling() }

        let context = Unmanaged.passRetained(worker).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let worker = Unmanaged<TailWorker>.fromOpaque(raw).takeRetainedValue()
            worker.run()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<TailWorker>.fromOpaque(context).release()
            worker.closeDescriptors()
            close(pipeFds[1])
            throw IngestError(path: directories.first ?? "", reason: "cannot start watcher thread: \(errnoText(rc))", code: .watch)
        }
        let stoppedMeanwhile = state.locked { s in
            s.worker = worker
            if s.stopped { return true }
            s.thread = thread
            s.stopWriteFd = pipeFds[1]
            s.wakePipe = pipeFds
            return false
        }
        if stoppedMeanwhile { DirectoryTailer.halt(thread: thread, writeFd: pipeFds[1]) }
    }

    /// Every file under the directories now (lenient: directories that vanished are passed
    /// over), in delivery order, for catch-up after `start()` or after a restart.
    public func rescan() -> [DiscoveredFile] { rescanWithFailures().files }

    /// `rescan()`, with the entries that could not be examined or listed (a symlink loop, a
    /// directory without permission), as a backfill's walk reports them.
    public func rescanWithFailures() -> (files: [DiscoveredFile], failures: [IngestError]) {
        var scanner = TreeScanner(strict: false)
        try? scanner.scan(roots: directories)
        return (ArchiveWalker.ordered(scanner.files.values.map(\.discovered)), scanner.failures)
    }

    /// Stops watching: wakes the watcher thread, waits for it to exit (it closes its inotify
    /// descriptor), closes the wake-up pipe and finishes `paths`. Idempotent.
    public func stop() {
        let (thread, writeFd) = state.locked { s -> (pthread_t?, Int32) in
            if s.stopped { return (nil, -1) }
            s.stopped = true
            let taken = (s.thread, s.stopWriteFd)
            s.thread = nil
            s.stopWriteFd = -1
            return taken
        }
        if let thread { DirectoryTailer.halt(thread: thread, writeFd: writeFd) }
        continuation.finish()
    }

    /// Wakes the watcher thread through its pipe, waits for it to exit and closes the pipe.
    private static func halt(thread: pthread_t, writeFd: Int32) {
        var byte: UInt8 = 1
        while write(writeFd, &byte, 1) < 0 && errno == EINTR {}
        pthread_join(thread, nil)
        close(writeFd)
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(1, ms))
    }
}
