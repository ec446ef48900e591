import ArgumentParser
import Foundation
import TrailAWS
import TrailIngest
import TrailModel
import TrailPresentation
import TrailStore

/// Options for reading `s3://` sources: which accounts and regions, downloads at once, endpoint.
struct S3AccessOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("s3:// only: these accounts (comma-separated 12-digit ids).", valueName: "ids"))
    var accounts: String?

    @Option(name: .long, help: ArgumentHelp("s3:// only: these regions (comma-separated).", valueName: "regions"))
    var regions: String?

    @Option(name: .long, help: ArgumentHelp("s3:// only: objects downloaded at once.", valueName: "n"))
    var downloads: Int = 16

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp(
        "s3:// only: an S3-compatible endpoint (path-style addressing). Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS.",
        valueName: "url"))
    var endpointURL: String?

    func validate() throws {
        guard (1...512).contains(downloads) else { throw ValidationError("--downloads must be between 1 and 512") }
        if let accounts, !list(accounts).allSatisfy({ CloudTrailLayout.isAccount($0) }) {
            throw ValidationError("--accounts takes comma-separated 12-digit account ids")
        }
    }

    var accountSet: Set<String>? { accounts.map { Set(list($0)) } }
    var regionSet: Set<String>? { regions.map { Set(list($0)) } }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Options for `s3://` sources and the delivery-day range (which applies to local files too).
struct S3Options: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Only files delivered on or after this UTC day: ISO 8601 (2024-06-01) or relative (7d). For s3:// only these day prefixes are listed.",
        valueName: "time"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only files delivered on or before this UTC day (same forms as --since).", valueName: "time"))
    var until: String?

    @OptionGroup var access: S3AccessOptions

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeArgument.parse(value, now: wallClockNow()) == nil {
                throw ValidationError("\(name) takes an ISO 8601 time (2024-06-01, 2024-06-01T12:00Z) or a duration (7d, 12h)")
            }
        }
        if let sinceDate, let untilDate, CloudTrailLayout.dayNumber(sinceDate) > CloudTrailLayout.dayNumber(untilDate) {
            throw ValidationError("--since (\(since ?? "")) is a later day than --until (\(until ?? "")): no file could be read")
        }
    }

    var sinceDate: Date? { since.flatMap { date($0) } }
    var untilDate: Date? { until.flatMap { date($0) } }
    var accountSet: Set<String>? { access.accountSet }
    var regionSet: Set<String>? { access.regionSet }

    /// True when a local file's delivery stamp (if it has one) lies in the day range.
    func keeps(_ file: DiscoveredFile) -> Bool {
        guard since != nil || until != nil, let stamp = LogFileName.deliveryStamp(LogFileName.baseName(file.path)) else { return true }
        let day = Int(stamp / 1_000_000)
        if let sinceDate, day < CloudTrailLayout.dayNumber(sinceDate) { return false }
        if let untilDate, day > CloudTrailLayout.dayNumber(untilDate) { return false }
        return true
    }

    private func date(_ text: String) -> Date? {
        TimeArgument.parse(text, now: wallClockNow()).map { Date(timeIntervalSince1970: Double($0.milliseconds) / 1000) }
    }
}
