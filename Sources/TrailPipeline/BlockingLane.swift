import Dispatch

/// Runs blocking work, one job at a time, on a thread of its own outside Swift's cooperative
/// pool.
///
/// A group's commit blocks its thread until the disk or the database server answers. On a
/// thread of the cooperative pool (one thread per core) that wait would take a core's worth of
/// decoding and staging away for the whole commit: with PostgreSQL, a commit is mostly waiting
/// for the server. Here the pool's threads keep working meanwhile.
final class BlockingLane: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the lane after the jobs before it, and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
