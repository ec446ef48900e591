import ArgumentParser
import Foundation
import TrailAWS
import TrailIngest
import TrailModel
import TrailPresentation
import TrailStore
import TrailVerify

/// `trailwatch verify`: CloudTrail log file integrity validation, offline.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify CloudTrail digest chains offline: log hashes, chain links, RSA signatures and gaps.",
        discussion: """
        Checks every log file's SHA-256 (of its uncompressed content) against the digest that lists it, every \
        link of each digest chain (previousDigestHashValue, previousDigestSignature), every digest's \
        SHA256withRSA signature, and the hours of each trail's lifetime that no digest covers.

        A digest's own signature is S3 object metadata; offline it is taken from the next digest's \
        previousDigestSignature or from a <digest>.metadata.json sidecar (what `aws s3api head-object` prints). \
        Digests whose signature is known neither way are listed as digest-unchecked (a notice, not a problem).

        Examples:
          aws cloudtrail list-public-keys --start-time 2024-01-01 > keys.json
          trailwatch verify --public-keys keys.json AWSLogs/
          trailwatch verify --public-keys keys.json --format json bucket-copy/ | jq -r 'select(.problem) | .kind'
          trailwatch verify --public-keys keys.json s3://org-trail-bucket/prefix --since 2024-06-01 --until 2024-06-07

        PATH may be s3://BUCKET[/PREFIX] (all PATHs then): log and digest prefixes are listed as for \
        backfill (--since/--until, --accounts, --regions), every object is downloaded (--downloads at \
        a time) and hashed in memory, and each digest's signature is read from its object metadata.

        Output: findings (kind, account, region, time span, file, the digest that proves it, detail), then the \
        span verified per account, region and trail. A summary line goes to standard error.
        Exit status: 0 when everything verified, 1 when problems were found, 2 for bad usage.
        """)

    @Argument(help: "Files or directories holding the trail (walked recursively), or s3://BUCKET[/PREFIX].")
    var paths: [String]

    @Option(help: "The JSON that `aws cloudtrail list-public-keys` prints (DER PKCS#1 or SPKI keys, base64).")
    var publicKeys: String

    /// What `verify` can print (its spans and findings have no CSV form).
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
        var output: OutputFormat { self == .json ? .json : .table }
    }

    @Option(help: "Output format: table or json (one finding per line, then one line per verified span).")
    var format: Format = .table

    @Option(help: "Threads hashing log files (default: the number of cores).")
    var jobs: Int = min(ProcessInfo.processInfo.activeProcessorCount, OptionRange.jobs.upperBound)

    @OptionGroup(title: "Day range and S3") var s3Options: S3Options

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one PATH") }
        try OptionRange.check("--jobs", jobs, OptionRange.jobs)
        let remote = paths.filter(S3Location.isS3).count
        guard remote == 0 || remote == paths.count else {
            throw ValidationError("give either local paths or s3:// addresses, not both (one chain analysis reads one kind)")
        }
        let filters = [s3Options.since, s3Options.until, s3Options.access.accounts, s3Options.access.regions].contains { $0 != nil }
        guard remote > 0 || !filters else { throw ValidationError("--since, --until, --accounts and --regions apply to s3:// addresses only") }
    }

    func run() async throws {
        let keyBytes: [UInt8]
        do {
            keyBytes = try FileReader.readRaw(path: publicKeys, maxBytes: 16 << 20)
        } catch {
            throw CLIError.usage("--public-keys: \(error)")
        }
        let report: VerificationReport
        var listingProblems: [AWSError] = []
        do {
            let keys = try PublicKeyRing(json: keyBytes, path: publicKeys)
            let verifier = TreeVerifier(keys: keys, jobs: jobs)
            if paths.allSatisfy(S3Location.isS3) {
                let locations = try paths.map { (text: String) throws(AWSError) -> S3Location in try S3Location(parsing: text) }
                (report, listingProblems) = try await S3Verify.report(locations, verifier: verifier, options: s3Options)
                for problem in listingProblems { StandardError.error("\(problem)") }
            } else {
                report = try verifier.verify(paths: paths)
            }
        } catch let error as AWSError {
            throw CLIError.usage(error.description)
        } catch let error as VerifyError {
            throw CLIError.usage(error.description)
        }
        // A table shows file names (the account and region columns say where) and longer details;
        // JSON keeps whole paths.
        let formatter = ResultFormatter(format: format.output, maxCellWidth: format == .table ? 120 : 60)
        let findings = VerifyTables.findings(report.findings, fileNamesOnly: format == .table)
        let spans = VerifyTables.spans(report.spans)
        if format == .json {
            print(formatter.render(findings) + formatter.render(spans), terminator: "")
        } else {
            if !report.findings.isEmpty { print(formatter.render(findings)) }
            print(formatter.render(spans), terminator: "")
        }
        StandardError.line(VerifyTables.summary(report))
        if !report.problems.isEmpty || !listingProblems.isEmpty { throw CLIError.partialFailure }
    }
}

/// The verify report as result tables, and its summary line.
enum VerifyTables {
    static func findings(_ findings: [Finding], fileNamesOnly: Bool) -> ResultTable {
        func shown(_ path: String) -> String {
            fileNamesOnly ? String(path.split(separator: "/").last ?? Substring(path)) : path
        }
        return ResultTable(
            columns: [
                .init("kind", "KIND"), .init("problem", "PROBLEM", inTable: false),
                .init("account", "ACCOUNT"), .init("region", "REGION"),
                .init("start", "FROM"), .init("end", "TO"),
                .init("file", "FILE"), .init("digest", "PROVEN BY"), .init("detail", "DETAIL"),
            ],
            rows: findings.map { f in
                [.text(f.kind.rawValue), .bool(f.kind.isProblem), .text(f.account), .text(f.region),
                 f.start.map(Cell.time) ?? .null, f.end.map(Cell.time) ?? .null,
                 .text(shown(f.file)), f.digest.map { .text(shown($0)) } ?? .null, .text(f.detail)]
            })
    }

    static func spans(_ spans: [VerifiedSpan]) -> ResultTable {
        ResultTable(
            columns: [
                .init("kind", "KIND", inTable: false),
                .init("account", "ACCOUNT"), .init("region", "REGION"), .init("trail", "TRAIL"),
                .init("start", "VERIFIED FROM"), .init("end", "TO"),
                .init("digests", "DIGESTS"), .init("signaturesVerified", "SIGNED OK"),
                .init("logsListed", "LOGS LISTED"), .init("logsVerified", "LOGS OK"),
                .init("newestVerifiedDigest", "NEWEST VERIFIED DIGEST", inTable: false),
            ],
            rows: spans.map { s in
                [.text("verified-span"), .text(s.account), .text(s.region), .text(s.trail),
                 .time(s.start), .time(s.end), .integer(Int64(s.digests)), .integer(Int64(s.signaturesVerified)),
                 .integer(Int64(s.logsListed)), .integer(Int64(s.logsVerified)),
                 s.newestVerifiedDigest.map(Cell.text) ?? .null]
            })
    }

    static func summary(_ report: VerificationReport) -> String {
        var counts: [String: Int] = [:]
        for f in report.findings { counts[f.kind.rawValue, default: 0] += 1 }
        let problems = report.problems.count
        let notices = report.findings.count - problems
        var text = "verify: \(report.logFiles) log files, \(report.digestFiles) digests, \(report.spans.count) chains; "
        text += problems == 0 ? "all valid" : "\(problems) problem\(problems == 1 ? "" : "s")"
        if !counts.isEmpty {
            text += " (" + counts.keys.sorted().map { "\($0): \(counts[$0]!)" }.joined(separator: ", ") + ")"
        }
        if notices > 0 { text += "; \(notices) digest\(notices == 1 ? "" : "s") not signature-checked" }
        if report.logsOutsideChains > 0 { text += "; \(report.logsOutsideChains) log files outside every digest's span" }
        return text
    }
}
