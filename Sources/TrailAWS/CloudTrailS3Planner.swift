import Foundation

/// Plans the listing of a CloudTrail bucket from its key layout instead of listing it flat:
/// delimiter listings discover organizations, accounts and regions under `[PREFIX/]AWSLogs/`;
/// then only the day prefixes inside `since...until` are listed, in parallel. With a `since`
/// and a span of at most 400 days the days are enumerated without listing years and months;
/// otherwise years, months and days are discovered and pruned to the range.
///
/// Digest (`CloudTrail-Digest/`) prefixes are listed only with `includeDigests` (for `verify`);
/// Insight prefixes never. A prefix that is not a
/// CloudTrail layout (no `AWSLogs/` below it) is listed flat. `AccessDenied` on one prefix is
/// recorded with the prefix and the rest continues; a missing bucket or missing credentials
/// end the plan with an error.
public struct CloudTrailS3Planner: Sendable {
    public let client: S3Client
    public var since: Date?
    public var until: Date?
    /// Only these accounts (12-digit ids), when set.
    public var accounts: Set<String>?
    /// Only these regions, when set.
    public var regions: Set<String>?
    /// Listings run at once.
    public var parallelism: Int = 16
    /// Also list the digest prefixes (`ACCOUNT/CloudTrail-Digest/REGION/…`), for `verify`.
    public var includeDigests = false
    public var now: @Sendable () -> Date

    public init(client: S3Client, since: Date? = nil, until: Date? = nil, accounts: Set<String>? = nil,
                regions: Set<String>? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.since = since
        self.until = until
        self.accounts = accounts
        self.regions = regions
        self.now = now
    }

    /// The plan's result: the objects to read and the prefixes that could not be listed.
    public struct Plan: Sendable {
        public var objects: [S3ObjectSummary]
        public var problems: [AWSError]
    }

    /// Lists what `location` holds in the range and filters.
    public func plan(_ location: S3Location) async throws(AWSError) -> Plan {
        let bucket = location.bucket
        let root = CloudTrailLayout.logsRoot(prefix: location.prefix)
        var problems: [AWSError] = []

        // Layout levels down to each account's CloudTrail/REGION/ prefix.
        let top: (objects: [S3ObjectSummary], prefixes: [String])
        do {
            top = try await client.listAll(bucket: bucket, prefix: root, delimiter: "/")
        } catch where error.code == .accessDenied {
            return Plan(objects: [], problems: [error])
        }
        if top.prefixes.isEmpty && top.objects.isEmpty {
            // Not a CloudTrail layout (or an empty one): list the prefix itself, flat.
            do {
                let flat = try await client.listAll(bucket: bucket, prefix: location.prefix, delimiter: nil)
                return Plan(objects: flat.objects.filter { inRange(key: $0.key) }, problems: [])
            } catch where error.code == .accessDenied {
                return Plan(objects: [], problems: [error])
            }
        }
        var accountPrefixes: [String] = []
        var organizationPrefixes: [String] = []
        for prefix in top.prefixes {
            let segment = CloudTrailLayout.lastSegment(prefix)
            if CloudTrailLayout.isOrganization(segment) { organizationPrefixes.append(prefix) }
            else if CloudTrailLayout.isAccount(segment) { accountPrefixes.append(prefix) }
        }
        let organizationListings = try await parallelList(organizationPrefixes.map { ($0, "/") }, bucket: bucket, problems: &problems)
        for listing in organizationListings {
            for prefix in listing.prefixes where CloudTrailLayout.isAccount(CloudTrailLayout.lastSegment(prefix)) {
                accountPrefixes.append(prefix)
            }
        }
        accountPrefixes = accountPrefixes.filter { accounts?.contains(String(CloudTrailLayout.lastSegment($0))) ?? true }
        let kinds = includeDigests ? ["CloudTrail/", "CloudTrail-Digest/"] : ["CloudTrail/"]
        let regionListings = try await parallelList(accountPrefixes.flatMap { account in kinds.map { (account + $0, "/") } },
                                                    bucket: bucket, problems: &problems)
        var regionPrefixes: [String] = []
        for listing in regionListings {
            regionPrefixes += listing.prefixes.filter { regions?.contains(String(CloudTrailLayout.lastSegment($0))) ?? true }
        }

        // Day prefixes inside the range.
        var dayPrefixes: [String] = []
        if let since, let days = Optional(CloudTrailLayout.days(from: since, to: until ?? now())), days.count <= 400 {
            for region in regionPrefixes { dayPrefixes += days.map { region + $0 } }
        } else {
            var level = regionPrefixes
            for _ in 0..<3 {
                let listings = try await parallelList(level.map { ($0, "/") }, bucket: bucket, problems: &problems)
                level = listings.flatMap { listing in
                    listing.prefixes.filter { overlapsRange(prefix: $0) }
                }
            }
            dayPrefixes = level
        }
        let dayListings = try await parallelList(dayPrefixes.map { ($0, nil) }, bucket: bucket, problems: &problems)
        let objects = dayListings.flatMap(\.objects).filter { inRange(key: $0.key) }
        return Plan(objects: objects, problems: problems)
    }

    /// True when the date prefix ending `prefix` (`…/REGION/2024/`, `…/2024/06/`, `…/2024/06/03/`)
    /// overlaps the range.
    func overlapsRange(prefix: String) -> Bool {
        let parts = prefix.split(separator: "/")
        var dateParts: [Substring] = []
        for part in parts.reversed() {
            guard Int(part) != nil, dateParts.count < 3 else { break }
            dateParts.insert(part, at: 0)
        }
        guard let range = CloudTrailLayout.dayRange(dateParts) else { return false }
        if let since, range.upperBound < CloudTrailLayout.dayNumber(since) { return false }
        if let until, range.lowerBound > CloudTrailLayout.dayNumber(until) { return false }
        return true
    }

    /// True when a key's `YYYY/MM/DD/` (if it has one) lies in the range.
    func inRange(key: String) -> Bool {
        guard since != nil || until != nil else { return true }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { return true }
        let date = Array(parts[(parts.count - 4)..<(parts.count - 1)])
        guard CloudTrailLayout.dayRange(date) != nil else { return true }
        return overlapsRange(prefix: date.joined(separator: "/") + "/")
    }

    /// Lists each (prefix, delimiter) fully, `parallelism` at a time; AccessDenied is recorded
    /// and skipped, other errors end the plan. Results keep the input order.
    private func parallelList(_ work: [(String, String?)], bucket: String, problems: inout [AWSError]) async throws(AWSError) -> [(objects: [S3ObjectSummary], prefixes: [String])] {
        var results = Array<(objects: [S3ObjectSummary], prefixes: [String])?>(repeating: nil, count: work.count)
        let client = self.client
        let outcome: AWSError? = await withTaskGroup(of: (Int, Result<(objects: [S3ObjectSummary], prefixes: [String]), AWSError>).self) { group in
            var next = 0
            func launch() {
                let index = next
                let (prefix, delimiter) = work[index]
                group.addTask {
                    // Assigned, then returned: with `return (index, .success(try await …))` inside
                    // the typed-throws `do`, Swift 6.3.1's optimiser emits code that traps here
                    // (release builds only; a 60-line reproduction of the same shape traps at -O
                    // and runs at -Onone).
                    let listing: Result<(objects: [S3ObjectSummary], prefixes: [String]), AWSError>
                    do throws(AWSError) {
                        listing = .success(try await client.listAll(bucket: bucket, prefix: prefix, delimiter: delimiter))
                    } catch {
                        listing = .failure(error)
                    }
                    return (index, listing)
                }
                next += 1
            }
            while next < work.count && next < max(1, parallelism) { launch() }
            var fatal: AWSError?
            while let (index, result) = await group.next() {
                switch result {
                case let .success(listing): results[index] = listing
                case let .failure(error) where error.code == .accessDenied: problems.append(error)
                case let .failure(error):
                    if fatal == nil { fatal = error }
                    group.cancelAll()
                }
                if fatal == nil && next < work.count { launch() }
            }
            return fatal
        }
        if let outcome { throw outcome }
        return results.compactMap { $0 }
    }
}
