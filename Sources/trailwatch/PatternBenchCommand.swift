#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import TrailJSON
import TrailMatch

/// `trailwatch pattern bench`: matching throughput of one compiled rule set.
struct PatternBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure matching throughput of a rule set on a file of events.",
        discussion: """
        Loads every pattern of --patterns (JSON lines: a pattern object per line, or \
        {"name": "...", "pattern": {...}}) into one rule set and matches every event of --events \
        (JSON lines, EventBridge events) on one thread. Prints the rule count and compile time; \
        events per second for matching pre-parsed events (all resident, and in just-parsed \
        chunks) and for parsing plus matching line by line; the total number of matches; and \
        the number of events that matched at least one rule. Times are CPU time of the \
        matching thread. Build with `swift build -c release` for meaningful figures.
        """
    )

    @Option(name: .long, help: ArgumentHelp("JSON lines of patterns (up to 64 MiB).", valueName: "file"))
    var patterns: String

    @Option(name: .long, help: ArgumentHelp("JSON lines of events (up to 1 GiB).", valueName: "file"))
    var events: String

    @Option(name: .long, help: "Timed passes over the events (1 to 1000); the best pass is reported.")
    var passes: Int = 3

    @Option(name: .long, help: ArgumentHelp("Also match in chunks of this many events, parsed just before (as a reader does file by file); 0 to skip, at most 10000000.", valueName: "n"))
    var chunk: Int = 1000

    @Flag(name: .long, help: .hidden)
    var matchOnly = false

    func validate() throws {
        try OptionRange.check("--passes", passes, OptionRange.passes)
        try OptionRange.check("--chunk", chunk, OptionRange.chunk)
    }

    func run() throws {
        let patternBytes: [UInt8], eventBytes: [UInt8]
        do {
            patternBytes = try PatternIO.readFile(path: patterns)
            eventBytes = try PatternIO.readFile(path: events, maxBytes: 1 << 30)
        } catch {
            PatternOutput.error("error: \(error.description)")
            throw ExitCode(2)
        }
        let named: [NamedPattern]
        do {
            let doc = try JSONDocument(bytes: patternBytes, allowMultipleRoots: true)
            named = doc.roots.enumerated().map { i, root in
                if root.kind == .object, root.count == 2, let p = root["pattern"], p.kind == .object, let name = root["name"]?.string {
                    return NamedPattern(name: name, file: patterns, pattern: p)
                }
                return NamedPattern(name: "#\(i + 1)", file: patterns, pattern: root)
            }
        } catch {
            PatternOutput.error("error: \(patterns): \(error)")
            throw ExitCode(2)
        }
        var t0 = Self.now()
        let compiled: CompiledPatterns
        do {
            compiled = try CompiledPatterns(named)
        } catch {
            PatternOutput.error("error: \(error)")
            throw ExitCode(2)
        }
        let compileSeconds = Self.now() - t0
        let matcher = PatternMatcher(compiled)

        t0 = Self.now()
        let eventDoc: JSONDocument
        do {
            eventDoc = try JSONDocument(bytes: eventBytes, allowMultipleRoots: true)
        } catch {
            PatternOutput.error("error: \(events): \(error)")
            throw ExitCode(2)
        }
        let parseSeconds = Self.now() - t0
        let roots = eventDoc.roots
        guard !roots.isEmpty else {
            PatternOutput.error("error: \(events): no events")
            throw ExitCode(2)
        }

        var best = Double.infinity
        var totalMatches = 0
        var matchedEvents = 0
        for _ in 0..<max(1, passes) {
            var total = 0, matched = 0
            let start = Self.now()
            for root in roots {
                let m = matcher.matchingIndexes(event: root, detail: nil)
                total += m.count
                if !m.isEmpty { matched += 1 }
            }
            best = min(best, Self.now() - start)
            totalMatches = total
            matchedEvents = matched
        }

        // Pre-parsed matching of chunks that were just parsed (warm in cache, like the records of
        // one log file), timing only the matching.
        var chunkSeconds = 0.0
        let lines = Self.lineRanges(eventBytes)
        if chunk > 0, !matchOnly {
            var bestChunk = Double.infinity
            for _ in 0..<max(1, passes) {
                var spent = 0.0
                var i = 0
                while i < lines.count {
                    let slice = lines[i..<min(lines.count, i + chunk)]
                    guard let first = slice.first, let last = slice.last,
                          let doc = try? JSONDocument(bytes: Array(eventBytes[first.lowerBound..<last.upperBound]), allowMultipleRoots: true)
                    else { i += chunk; continue }
                    let chunkRoots = doc.roots
                    let start = Self.now()
                    for root in chunkRoots { _ = matcher.matchingIndexes(event: root, detail: nil) }
                    spent += Self.now() - start
                    i += chunk
                }
                bestChunk = min(bestChunk, spent)
            }
            chunkSeconds = bestChunk
        }

        // Parsing and matching, line by line, as a reader of JSON lines would.
        var bestFull = Double.infinity
        for _ in 0..<(matchOnly ? 0 : max(1, passes)) {
            let start = Self.now()
            var total = 0
            for r in lines {
                guard let doc = try? JSONDocument(bytes: Array(eventBytes[r])) else { continue }
                total += matcher.matchingIndexes(event: doc.root, detail: nil).count
            }
            bestFull = min(bestFull, Self.now() - start)
            if total != totalMatches { PatternOutput.error("warning: line-by-line pass found \(total) matches") }
        }

        let n = Double(roots.count)
        var out = PatternOutput()
        out.line("rules:                \(compiled.count) (compiled in \(Self.format(compileSeconds * 1000)) ms)")
        out.line("events:               \(roots.count) (\(eventBytes.count / 1024) KiB; bulk parse \(Self.format(n / parseSeconds)) events/s)")
        out.line("pre-parsed matching:  \(Self.format(n / best)) events/s (\(Self.format(best * 1e9 / n)) ns/event of CPU time, all events resident, best of \(max(1, passes)))")
        if chunkSeconds > 0 {
            out.line("pre-parsed, per chunk: \(Self.format(n / chunkSeconds)) events/s (\(Self.format(chunkSeconds * 1e9 / n)) ns/event of CPU time, \(chunk)-event chunks just parsed)")
        }
        if bestFull.isFinite {
            out.line("parse + match:        \(Self.format(n / bestFull)) events/s (\(Self.format(bestFull * 1e9 / n)) ns/event of CPU time, line by line)")
        }
        out.line("total matches:        \(totalMatches)")
        out.line("events matching >= 1: \(matchedEvents)")
        out.flush()
    }

    static func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        PatternIO.lines(bytes).filter { !PatternIO.isBlank(bytes[$0]) }
    }

    /// CPU time of this thread: the figures stay meaningful on a machine shared with other work.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func format(_ v: Double) -> String {
        if v >= 100 { return String(Int(v.rounded())) }
        let scaled = (v * 100).rounded() / 100
        return String(scaled)
    }
}
