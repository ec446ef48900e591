import ArgumentParser
import Foundation
import TrailDecode
import TrailIngest
import TrailJSON

/// `trailwatch-bench decode`: the parallel stage's CPU costs, one step at a time, on one thread:
/// inflating, parsing into a tape, and decoding records, over the gzipped files given.
struct DecodeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Time gunzip, JSON parsing and record decoding on one thread (files are read into memory first).")

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

    private func report(_ step: String, _ megabytes: Double, _ body: () throws -> Void) {
        var best = Double.infinity
        for _ in 0..<max(1, runs) {
            let start = cpuSeconds()
            do { try body() } catch { print("\(step): \(error)"); return }
            best = min(best, cpuSeconds() - start)
        }
        print(String(format: "%-8@ %7.3f s CPU  %7.0f MB/s of JSON", step as NSString, best, megabytes / best))
    }

    private func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
