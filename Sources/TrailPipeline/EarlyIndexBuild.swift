/// When a first load builds the secondary indexes it deferred: on the writer, once most of the
/// run's bytes are staged, rather than after the last group.
///
/// Built at the very end, the indexes keep one core busy while the others have nothing left to
/// do (about half a second on the 1,000,000-record tree). Started while the last fifth of the
/// files is still being read, decoded and run through the detectors, the build shares the
/// machine with that work; the groups written after it maintain the indexes row by row, which
/// costs little for that fifth. (Started at 90% instead, the groups staged during the build
/// were still being written, on one core, after everything else had finished.) The staged
/// group may grow to `groupGrowth` times its limits in files and events while the build runs,
/// so that staging does not wait for it.
public struct EarlyIndexBuild: Sendable {
    /// Share of the listed bytes (as listed: compressed sizes) staged before the build starts.
    public var afterShare: Double
    /// Runs below this many listed bytes build at the end instead: their build is short, and
    /// starting it early would only make the end of a small run harder to reason about.
    public var minimumListedBytes: Int64
    /// Builds the missing deferred indexes (one transaction), on the writer's task.
    public var build: @Sendable () throws(PipelineError) -> Void

    /// How far past its limits in files and events the staged group may grow during the build.
    public static let groupGrowth = 4

    public init(afterShare: Double = 0.8, minimumListedBytes: Int64 = 32 << 20,
                build: @escaping @Sendable () throws(PipelineError) -> Void) {
        self.afterShare = afterShare
        self.minimumListedBytes = minimumListedBytes
        self.build = build
    }

    /// The staged bytes at which the build is due, for a run that lists `listed` bytes; nil when
    /// the run is too small to start it early.
    func dueBytes(listed: Int64) -> Int64? {
        guard listed >= minimumListedBytes, listed > 0 else { return nil }
        return Int64((Double(listed) * min(1, max(0, afterShare))).rounded(.up))
    }
}
