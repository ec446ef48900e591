import TrailJSON

/// A single-thread matching context for a ``CompiledPatterns``: it owns its working memory, so
/// a loop that matches many events (one task, one file after another) skips the shared pool that
/// ``CompiledPatterns/matchingIndexes(event:detail:)`` uses. Not for concurrent use.
public final class PatternMatcher {
    /// The rule set.
    public let patterns: CompiledPatterns
    private let scratch = MatchScratch()

    /// Creates a context for `patterns`.
    public init(_ patterns: CompiledPatterns) {
        self.patterns = patterns
    }

    /// Same as ``CompiledPatterns/matchingIndexes(event:detail:)``.
    public func matchingIndexes(event root: JSONValue, detail: JSONValue?) -> [Int] {
        patterns.matchingIndexes(event: root, detail: detail, scratch: scratch)
    }

    /// Same as ``CompiledPatterns/matchingIndexes(envelope:)``.
    public func matchingIndexes(envelope: EnvelopeView) -> [Int] {
        patterns.matchingIndexes(envelope: envelope, scratch: scratch)
    }
}
