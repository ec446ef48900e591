import ArgumentParser
import Foundation
import TrailDecode
import TrailIngest
import TrailJSON
import TrailPipeline
import TrailStore

/// `trailwatch-bench decode`: the parallel stage's CPU costs, one step at a time, on one thread:
/// inflating, parsing into a tape, decoding records, and the whole stage (`FileProcessor`:
/// sketching, matching, normalising what the committer keeps), over the gzipped files given;
/// then the same steps over only the records the stage passes over (no rule matches them, no
/// secret in them), for the cost of such a record beyond its parse and decoding.
struct DecodeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Time gunzip, JSON parsing, record decoding and the whole parallel stage on one thread (files are read into memory first).")

    @Argument(help: "Directory of CloudTrail .json.gz files (walked recursively).")
    var directory: String

    @Option(help: "Most files to load.")
    var files: Int = 400

    @Option(help: "Passes over the files; the fastest is reported.")
    var runs: Int = 5

    func run() throws {
        let paths = try loadPaths()
        let compressed = try paths.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: $0))) }
        let inflated = try zip(paths, compressed).map { path, bytes in try Gunzip.inflate(bytes, path: path) }
        let megabytes = Double(inflated.reduce(0) { $0 + $1.count }) / 1e6
        print("\(paths.count) files, \(String(format: "%.1f", megabytes)) MB of JSON")

        report("gunzip", megabytes) {
            for (path, bytes) in zip(paths, compressed) { _ = try Gunzip.inflate(bytes, path: path) }
        }
        report("parse", megabytes) {
            for bytes in inflated { _ = try JSONDocument(bytes: bytes) }
        }
        report("decode", megabytes) {
            for (path, bytes) in zip(paths, inflated) { _ = try RecordDecoder.decode(bytes, path: path) }
        }
        let processor = FileProcessor(rules: try RuleBook.load(directory: nil), store: try Store.inMemory())
        let files = zip(paths, inflated).map { path, bytes in
            (DiscoveredFile(path: path, size: Int64(bytes.count)), FileContent(bytes: bytes, compressedSize: 0, fingerprint: "", wasGzip: false))
        }
        report("process", megabytes) {
            for (file, content) in files { _ = processor.process(file, content: content) }
        }

        // The records the stage passes over, as files of their own.
        var passedOver: [[UInt8]] = []
        var counts = (all: 0, kept: 0, passed: 0)
        for (file, content) in files {
            guard case let .decoded(_, _, _, items, _) = processor.process(file, content: content).outcome else { continue }
            let kept = Set(items.map(\.event.eventID))
            let records = try RecordDecoder.decode(content.bytes, path: file.path).records
            let others = records.filter { r in r.record["eventID"]?.string.map { !kept.contains($0) } ?? false }
            counts.all += records.count
            counts.kept += items.count
            counts.passed += others.count
            passedOver.append(Array(("{\"Records\":[" + others.map(\.record.rawText).joined(separator: ",") + "]}").utf8))
        }
        print("\(counts.all) records: \(counts.kept) kept for the committer, \(counts.passed) passed over")
        let passedMegabytes = Double(passedOver.reduce(0) { $0 + $1.count }) / 1e6
        let parse = report("parse", passedMegabytes, records: counts.passed, label: "parse (passed over)") {
            for bytes in passedOver { _ = try JSONDocument(bytes: bytes) }
        }
        let decode = report("decode", passedMegabytes, records: counts.passed, label: "decode (passed over)") {
            for bytes in passedOver { _ = try RecordDecoder.decode(bytes, path: "passed-over.json") }
        }
        let process = report("process", passedMegabytes, records: counts.passed, label: "process (passed over)") {
            for bytes in passedOver {
                _ = processor.process(DiscoveredFile(path: "passed-over.json", size: Int64(bytes.count)),
                                      content: FileContent(bytes: bytes, compressedSize: 0, fingerprint: "", wasGzip: false))
            }
        }
        let perRecord = { (seconds: Double) in seconds / Double(max(1, counts.passed)) * 1e6 }
        print(String(format: "a passed-over record: parse %.3f µs, decoding %.3f µs more, the rest of the stage %.3f µs more (%.0f%% of its parse)",
                     perRecord(parse), perRecord(decode - parse), perRecord(process - decode), (process - decode) / parse * 100))
    }

    private func loadPaths() throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw ValidationError("cannot read \(directory)")
        }
        var found: [String] = []
        while let next = walker.nextObject() as? String {
            if next.hasSuffix(".json.gz"), !next.contains("CloudTrail-Digest") { found.append(directory + "/" + next) }
        }
        return Array(found.sorted().prefix(files))
    }

    /// Runs `body` `runs` times and prints (and returns) the fastest, in seconds of CPU.
    @discardableResult
    private func report(_ step: String, _ megabytes: Double, records: Int? = nil, label: String? = nil, _ body: () throws -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<max(1, runs) {
            let start = cpuSeconds()
            do { try body() } catch { print("\(step): \(error)"); return .nan }
            best = min(best, cpuSeconds() - start)
        }
        let name = label ?? step
        var line = name + String(repeating: " ", count: max(1, 23 - name.count)) + String(format: "%7.3f s CPU  %7.0f MB/s of JSON", best, megabytes / best)
        if let records { line += String(format: "  %.3f µs a record", best / Double(max(1, records)) * 1e6) }
        print(line)
        return best
    }

    private func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
