import Foundation
import TrailIngest
import TrailModel

/// Runs files through the pipeline: the parallel stage on up to `jobs` files at once, then the
/// sequential stage in the files' given order (a reorder buffer), so that the store and the
/// alerts are the same whatever `jobs` is.
///
/// Memory stays bounded: at most `16 × jobs + 8` files and 24 MiB of compressed input are in
/// flight or waiting for their turn (one file at a time when a single file is larger), plus the
/// committer's staged group, which holds only the normalised events it will store.
public final class IngestRunner {
    public private(set) var processor: FileProcessor
    public let committer: FileCommitter
    public let jobs: Int
    private let onReport: (FileReport) -> Void

    public init(processor: FileProcessor, committer: FileCommitter, jobs: Int, onReport: @escaping (FileReport) -> Void) {
        self.processor = processor
        self.committer = committer
        self.jobs = max(1, jobs)
        self.onReport = onReport
    }

    /// Puts `rules` in force for the next run (matching and detectors alike). Call only between
    /// runs; throws, leaving the old rules in force, when the detectors cannot be built.
    public func reload(_ rules: RuleBook) throws(PipelineError) {
        try committer.reload(rules)
        processor = FileProcessor(rules: rules, store: processor.store)
    }

    /// Processes `files` in order; stops early (after committing the file in hand) when `stop`
    /// is requested. Returns the reports of the files handled.
    @discardableResult
    public func run(_ files: [DiscoveredFile], deferIncomplete: Bool = false, stop: StopSignal? = nil) async throws(PipelineError) -> [FileReport] {
        if files.isEmpty { return [] }
        let processor = self.processor
        // Keep the workers ahead of the committer (it is the slower stage) within a budget: at
        // most `window` files, and at most `byteBudget` compressed bytes, waiting for their turn.
        let window = jobs * 16 + 8
        let byteBudget: Int64 = 24 << 20
        var reports: [FileReport] = []
        reports.reserveCapacity(files.count)
        var failure: PipelineError?

        // Groups are written on their own task while the committer stages the next files: one
        // group at a time, in order, each confirmed before the next one starts.
        let writer = committer.writer
        var writing: Task<Result<[FileReport], PipelineError>, Never>?
        var writingDone: CompletionFlag?

        func finishWriting() async {
            guard let task = writing else { return }
            writing = nil
            switch await task.value {
            case let .success(written):
                for report in written {
                    reports.append(report)
                    onReport(report)
                }
            case let .failure(error):
                if failure == nil { failure = error }
            }
            committer.groupWritten()
        }

        func startWriting() async {
            await finishWriting()
            guard failure == nil, let prepared = committer.takeGroup() else { return }
            let done = CompletionFlag()
            writingDone = done
            writing = Task.detached {
                defer { done.set() }
                do throws(PipelineError) {
                    return .success(try writer.write(prepared))
                } catch {
                    return .failure(error)
                }
            }
        }

        await withTaskGroup(of: (Int, ProcessedFile).self) { group in
            var launched = 0
            var committed = 0
            var waiting: [Int: ProcessedFile] = [:]
            var bytesInFlight: Int64 = 0

            func launchMore() {
                while launched < files.count, launched - committed < window, failure == nil, !(stop?.isRequested ?? false),
                      bytesInFlight < byteBudget || launched == committed {
                    let index = launched
                    let file = files[index]
                    bytesInFlight += file.size
                    group.addTask { (index, processor.process(file)) }
                    launched += 1
                }
            }

            launchMore()
            while let (index, processed) = await group.next() {
                waiting[index] = processed
                while failure == nil, let ready = waiting.removeValue(forKey: committed) {
                    do throws(PipelineError) {
                        if let report = try committer.stage(ready, deferIncomplete: deferIncomplete) {
                            reports.append(report)
                            onReport(report)
                        }
                    } catch {
                        failure = error
                    }
                    // Hand the group over when it is due and the writer is free; wait for the
                    // writer only when the group is full. A busy writer (a checkpoint, a large
                    // group) thus never stalls staging and, through the window, the workers.
                    // Once every file is launched, a free writer takes what is staged at once,
                    // so the last group, written while nothing else runs, stays small.
                    let due = committer.shouldFlush || launched == files.count && committed + 1 < files.count
                    if failure == nil, due, writingDone?.isSet ?? true || committer.isGroupFull {
                        await startWriting()
                    }
                    bytesInFlight -= files[committed].size
                    committed += 1
                }
                launchMore()
            }
        }
        // The rest: what is staged (everything handled, or the files in hand when stopping).
        await startWriting()
        await finishWriting()
        if let failure { throw failure }
        return reports
    }
}

/// Set once by a task when it is about to finish, read without waiting for it.
private final class CompletionFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
}
