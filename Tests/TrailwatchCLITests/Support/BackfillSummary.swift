import Foundation

/// The counts in `backfill`'s final summary line on standard error:
///
///     trailwatch: files: 221 done, 3 skipped, 0 failed; records: 3087; events stored: 2718; alerts: 19; elapsed: 1.2 s; 2572 records/s
///
/// A re-run adds `, N already ingested` after the failed count, and invalid records add
/// ` (N invalid)` after the record count (which counts valid records only). The parser is strict: a line that
/// does not have exactly this shape is not a summary, so a change of layout fails the tests loudly.
struct BackfillSummary: Equatable, CustomStringConvertible {
    var filesDone: Int
    var filesSkipped: Int
    var filesFailed: Int
    var filesAlreadyIngested: Int
    var records: Int
    /// Records without eventID or eventTime (`records: N (M invalid)`).
    var invalidRecords: Int
    var eventsStored: Int
    var alerts: Int

    private static let regex: NSRegularExpression? = try? NSRegularExpression(pattern:
        #"^trailwatch: files: (\d+) done, (\d+) skipped, (\d+) failed(?:, (\d+) already ingested)?; "#
        + #"records: (\d+)(?: \((\d+) invalid\))?; events stored: (\d+); alerts: (\d+); elapsed: \d+(?:\.\d+)? s; \d+ records/s$"#)

    /// The summary in `stderr`: its last line that has the summary's shape.
    init?(stderr: String) {
        for line in stderr.split(separator: "\n").reversed() {
            if let parsed = Self(line: String(line)) {
                self = parsed
                return
            }
        }
        return nil
    }

    /// Parses one summary line; nil when `line` does not have exactly the summary's shape.
    init?(line: String) {
        guard let regex = Self.regex,
              let match = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
        else { return nil }
        func group(_ i: Int) -> Int? {
            guard let r = Range(match.range(at: i), in: line) else { return nil }
            return Int(line[r])
        }
        guard let done = group(1), let skipped = group(2), let failed = group(3), let records = group(5),
              let stored = group(7), let alerts = group(8)
        else { return nil }
        self.init(filesDone: done, filesSkipped: skipped, filesFailed: failed, filesAlreadyIngested: group(4) ?? 0,
                  records: records, invalidRecords: group(6) ?? 0, eventsStored: stored, alerts: alerts)
    }

    init(filesDone: Int, filesSkipped: Int, filesFailed: Int, filesAlreadyIngested: Int = 0,
         records: Int, invalidRecords: Int = 0, eventsStored: Int, alerts: Int) {
        self.filesDone = filesDone
        self.filesSkipped = filesSkipped
        self.filesFailed = filesFailed
        self.filesAlreadyIngested = filesAlreadyIngested
        self.records = records
        self.invalidRecords = invalidRecords
        self.eventsStored = eventsStored
        self.alerts = alerts
    }

    var description: String {
        "files \(filesDone) done/\(filesSkipped) skipped/\(filesFailed) failed/\(filesAlreadyIngested) already; "
            + "records \(records) (\(invalidRecords) invalid); events stored \(eventsStored); alerts \(alerts)"
    }
}
