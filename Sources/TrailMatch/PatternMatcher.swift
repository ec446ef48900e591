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

    /// Whether some pattern may match an event whose envelope's constant part is `constants`
    /// (false: none can, whatever the rest of the event; the answer is cached per document, so
    /// pass the shared constants of ``EnvelopeView/base``).
    public func mayMatch(constants: JSONValue) -> Bool {
        let key = ObjectIdentifier(constants.document)
        if let known = constantsVerdicts[key], known.index == constants.index { return known.verdict }
        let verdict = patterns.mayMatch(constants: constants, scratch: scratch)
        // The document is kept with its verdict, so its address cannot be reused by another.
        // Bounded: a hostile file whose every record names a new source (whose constants are
        // then built per record, not cached) would otherwise keep every one of them alive.
        if constantsVerdicts.count < Self.verdictLimit {
            constantsVerdicts[key] = (constants.document, constants.index, verdict)
        }
        return verdict
    }

    /// How many constants verdicts are kept.
    var verdictCount: Int { constantsVerdicts.count }

    /// Most constants verdicts kept: far more than the sources one file names.
    static let verdictLimit = 1024

    private var constantsVerdicts: [ObjectIdentifier: (document: JSONDocument, index: Int, verdict: Bool)] = [:]

    /// Same as ``CompiledPatterns/matchingIndexes(envelope:)``.
    public func matchingIndexes(envelope: EnvelopeView) -> [Int] {
        patterns.matchingIndexes(envelope: envelope, scratch: scratch)
    }
}
