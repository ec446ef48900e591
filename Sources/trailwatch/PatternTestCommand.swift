import ArgumentParser
import TrailJSON
import TrailMatch

/// `trailwatch pattern test`: like EventBridge's TestEventPattern.
struct PatternTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Print whether an event matches a pattern (true/false).",
        discussion: """
        With --pattern and --event, prints `true` or `false` and exits 0; an invalid pattern or \
        invalid JSON is reported on standard error (naming the JSON path of the problem) with \
        exit status 2.

        With --jsonl, reads lines {"pattern": {...}, "event": {...}} from standard input and \
        prints one line per input line, in order: `true`, `false`, or `error: <message>` (for an \
        invalid pattern, a malformed line, or one over 64 MiB). It keeps going after errors and \
        exits 0. A --pattern or --event file may hold up to 64 MiB.
        """
    )

    @Option(name: .long, help: ArgumentHelp("A file holding one JSON pattern.", valueName: "file"))
    var pattern: String?

    @Option(name: .long, help: ArgumentHelp("A file holding one JSON event (an EventBridge event; '-' for standard input).", valueName: "file"))
    var event: String?

    @Flag(name: .long, help: "Read {\"pattern\":…, \"event\":…} JSON lines from standard input.")
    var jsonl = false

    func validate() throws {
        if jsonl {
            guard pattern == nil, event == nil else { throw ValidationError("--jsonl cannot be combined with --pattern or --event") }
        } else {
            guard pattern != nil, event != nil else { throw ValidationError("give --pattern and --event, or --jsonl") }
        }
    }

    func run() throws {
        if jsonl {
            runLines()
            return
        }
        guard let pattern, let event else { return }
        let patternBytes: [UInt8], eventBytes: [UInt8]
        do {
            patternBytes = try PatternIO.readFile(path: pattern)
            eventBytes = try PatternIO.readFile(path: event)
        } catch {
            PatternOutput.error("error: \(error.description)")
            throw ExitCode(2)
        }
        let patternDoc: JSONDocument, eventDoc: JSONDocument
        do {
            patternDoc = try JSONDocument(bytes: patternBytes)
        } catch {
            PatternOutput.error("error: \(pattern): \(error)")
            throw ExitCode(2)
        }
        do {
            eventDoc = try JSONDocument(bytes: eventBytes)
        } catch {
            PatternOutput.error("error: \(event): \(error)")
            throw ExitCode(2)
        }
        do {
            let compiled = try CompiledPatterns([NamedPattern(name: "", file: pattern, pattern: patternDoc.root)])
            var out = PatternOutput()
            out.line(compiled.matchingIndexes(event: eventDoc.root, detail: nil).isEmpty ? "false" : "true")
            out.flush()
        } catch {
            PatternOutput.error("error: \(error)")
            throw ExitCode(2)
        }
    }

    /// Answers each line as it is read, so input of any length runs in bounded memory.
    private func runLines() {
        var out = PatternOutput()
        PatternIO.forEachLine(fd: 0) { line in
            out.line(line.map { Self.answer(Array($0)) } ?? "error: line longer than \(PatternIO.maxDocumentBytes >> 20) MiB")
        }
        out.flush()
    }

    /// The answer for one conformance line.
    static func answer(_ line: [UInt8]) -> String {
        if PatternIO.isBlank(line[...]) { return "error: empty line" }
        let doc: JSONDocument
        do {
            doc = try JSONDocument(bytes: line)
        } catch {
            return "error: \(error)"
        }
        let root = doc.root
        guard root.kind == .object else { return "error: a line must be a JSON object with \"pattern\" and \"event\"" }
        guard let pattern = root["pattern"] else { return "error: the line has no \"pattern\"" }
        guard let event = root["event"] else { return "error: the line has no \"event\"" }
        do {
            let compiled = try CompiledPatterns([NamedPattern(name: "", file: nil, pattern: pattern)])
            return compiled.matchingIndexes(event: event, detail: nil).isEmpty ? "false" : "true"
        } catch {
            return "error: \(error)"
        }
    }
}
