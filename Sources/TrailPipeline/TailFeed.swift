import TrailIngest

/// A source of files for `tail` besides the watched directories: S3 listings polled on a timer,
/// S3 event notifications from SQS. The service asks each feed for the files due between
/// ingestions, runs them through the pipeline, and tells the feed what became of them, so a
/// feed acknowledges a notification only once the files it names have committed.
public protocol TailFeed: AnyObject {
    /// Files due now (empty when nothing is). Throws only when the service cannot go on (for
    /// example the bucket does not exist on the first listing).
    func due() async throws(PipelineError) -> [DiscoveredFile]
    /// The reports of the files `due` returned that were handled (after their commit); a stop
    /// request may leave some unhandled, and they are not reported.
    func ingested(_ reports: [FileReport]) async
    /// Called once when the service stops (release what is in hand).
    func finish() async
}
