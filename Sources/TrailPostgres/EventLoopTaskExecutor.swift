import NIOCore

/// Runs a task's jobs on a NIO event loop, so PostgresNIO's async-only calls (COPY) can be
/// awaited by a blocked caller without a thread of Swift's cooperative pool, which may be all
/// blocked in such callers (two threads on a two-core machine).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        eventLoop.execute {
            unowned.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
