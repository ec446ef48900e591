import TrailModel

/// The checks of CloudTrail log file integrity validation, over digests and log hashes already
/// read (no I/O): log hashes against `logFiles[]`, chain links (`previousDigestHashValue`,
/// `previousDigestSignature`), RSA signatures, and time coverage.
///
/// A chain is one trail's digests for one account and region (the digest name carries the trail
/// and its home region). Time coverage finds what the chain links alone cannot: a chain that
/// restarts after a hole (logging stopped and started; every `previous*` field null) and, when
/// two or more consecutive digests are deleted, the hours before the one the next digest names
/// (aws-cli issue 7054: `validate-logs` reports only the named one). A missing digest is taken to
/// cover one digest period (the chain's median) before its successor; the rest of a hole is a gap.
public struct ChainAnalysis {
    public var digests: [DigestInput]
    /// Digest files that could not be read, inflated or parsed (key from `AWSLogs/`, error).
    public var unreadableDigests: [(name: TrailObjectName, error: VerifyError)]
    public var logs: [LogInput]
    public var keys: PublicKeyRing

    public init(
        digests: [DigestInput], unreadableDigests: [(name: TrailObjectName, error: VerifyError)],
        logs: [LogInput], keys: PublicKeyRing
    ) {
        self.digests = digests
        self.unreadableDigests = unreadableDigests
        self.logs = logs
        self.keys = keys
    }

    /// A stretch of a chain's lifetime covered by no digest.
    private struct Hole {
        var account: String
        var region: String
        var start: EventTime
        var end: EventTime
        var findingIndex: Int
        var unlistedLogs = 0
    }

    /// Runs every check.
    public func run() -> (findings: [Finding], spans: [VerifiedSpan], logsOutsideChains: Int) {
        var findings: [Finding] = []
        var spans: [VerifiedSpan] = []
        var holes: [Hole] = []

        var digestByKey: [String: Int] = [:]
        for (i, d) in digests.enumerated() { digestByKey[d.name.key] = i }
        let unreadableKeys = Set(unreadableDigests.map(\.name.key))
        var logByKey: [String: Int] = [:]
        for (i, l) in logs.enumerated() { logByKey[l.name.key] = i }
        var successors: [String: [Int]] = [:]
        for (i, d) in digests.enumerated() {
            if let p = d.record.previousDigestS3Object { successors[TrailObjectName.keyFromAWSLogs(p), default: []].append(i) }
        }
        var listed = Set<String>()
        // Digest windows per account and region, to place unlisted log files.
        var windows: [String: [(start: EventTime, end: EventTime, path: String)]] = [:]

        for u in unreadableDigests {
            findings.append(Finding(
                kind: .digestUnreadable, account: u.name.account, region: u.name.region, file: u.error.path,
                digest: nil, start: nil, end: nil, detail: u.error.description))
        }

        var chains: [String: [Int]] = [:]
        for (i, d) in digests.enumerated() {
            let n = d.name
            chains["\(n.account)\u{0}\(n.region)\u{0}\(n.trail ?? "")\u{0}\(n.homeRegion ?? "")", default: []].append(i)
        }
        for chainKey in chains.keys.sorted() {
            let members = chains[chainKey]!.sorted { a, b in
                let x = digests[a].record, y = digests[b].record
                if x.digestStartTime != y.digestStartTime { return x.digestStartTime < y.digestStartTime }
                return digests[a].name.key < digests[b].name.key
            }
            let first = digests[members[0]]
            let account = first.name.account, region = first.name.region
            let period = medianPeriod(members)
            var span = VerifiedSpan(
                account: account, region: region, trail: first.name.trail ?? "",
                start: first.record.digestStartTime, end: first.record.digestEndTime,
                digests: members.count, signaturesVerified: 0, logsListed: 0, logsVerified: 0)
            var cursor: EventTime? = nil
            var covered = false  // whether a digest not proven forged has set the span's times yet
            for index in members {
                let d = digests[index]
                let r = d.record
                windows["\(account)\u{0}\(region)", default: []].append((r.digestStartTime, r.digestEndTime, d.path))
                func add(_ kind: Finding.Kind, file: String, start: EventTime?, end: EventTime?, _ detail: String, proof: String? = nil) {
                    findings.append(Finding(
                        kind: kind, account: account, region: region, file: file, digest: proof ?? d.path,
                        start: start, end: end, detail: detail))
                }

                // The digest's own location, which its signature covers.
                if TrailObjectName.keyFromAWSLogs(r.digestS3Object) != d.name.key {
                    add(.digestAltered, file: d.path, start: r.digestStartTime, end: r.digestEndTime,
                        "the digest names its own location as \(r.digestS3Object)")
                }

                // Log files.
                for entry in r.logFiles {
                    let key = TrailObjectName.keyFromAWSLogs(entry.s3Object)
                    listed.insert(key)
                    span.logsListed += 1
                    let from = entry.oldestEventTime ?? r.digestStartTime
                    let to = entry.newestEventTime ?? r.digestEndTime
                    guard let li = logByKey[key] else {
                        add(.logMissing, file: entry.s3Object, start: from, end: to, "listed by the digest but not in the tree")
                        continue
                    }
                    switch logs[li].sha256 {
                    case .failure(let error):
                        add(.logUnreadable, file: logs[li].path, start: from, end: to, error.reason)
                    case .success(let sha) where sha != entry.sha256.lowercased():
                        add(.logAltered, file: logs[li].path, start: from, end: to,
                            "SHA-256 of the content is \(sha), the digest lists \(entry.sha256)")
                    case .success:
                        span.logsVerified += 1
                    }
                }

                // The digest's own signature: from its sidecar and from its successors.
                var forged = false
                var candidates: [(source: String, signature: String)] = []
                if let s = d.sidecarSignature { candidates.append(("its .metadata.json sidecar", s.lowercased())) }
                for s in successors[d.name.key] ?? [] {
                    if let sig = digests[s].record.previousDigestSignature?.lowercased(), !candidates.contains(where: { $0.signature == sig }) {
                        candidates.append(("previousDigestSignature of \(digests[s].path)", sig))
                    }
                }
                if let key = keys.key(fingerprint: r.digestPublicKeyFingerprint) {
                    if candidates.isEmpty {
                        add(.digestUnchecked, file: d.path, start: r.digestStartTime, end: r.digestEndTime,
                            "no signature known offline: no .metadata.json sidecar and no later digest names it")
                    } else {
                        let bad = candidates.filter {
                            !SignatureCheck.isValid(signatureHex: $0.signature, digest: r, sha256Hex: d.sha256, key: key.key)
                        }
                        for b in bad {
                            add(.digestBadSignature, file: d.path, start: r.digestStartTime, end: r.digestEndTime,
                                "the signature from \(b.source) does not verify with key \(key.fingerprint)")
                        }
                        forged = !bad.isEmpty
                        if bad.isEmpty {
                            span.signaturesVerified += 1
                            if span.newestVerifiedEnd.map({ $0 <= r.digestEndTime }) ?? true {
                                span.newestVerifiedEnd = r.digestEndTime
                                span.newestVerifiedDigest = d.path
                            }
                        }
                    }
                } else {
                    add(.digestUnknownKey, file: d.path, start: r.digestStartTime, end: r.digestEndTime,
                        "signed with key \(r.digestPublicKeyFingerprint), which is not among the \(keys.keys.count) public keys")
                }

                // The link to the previous digest, and the time since the previous one.
                var missingPrevious: String? = nil  // as the digest names it (the S3 key)
                if let p = r.previousDigestS3Object {
                    let pk = TrailObjectName.keyFromAWSLogs(p)
                    if let pi = digestByKey[pk] {
                        let prev = digests[pi]
                        var wrong: [String] = []
                        if let h = r.previousDigestHashValue?.lowercased(), h != prev.sha256 {
                            wrong.append("its SHA-256 is \(prev.sha256), the next digest recorded \(h)")
                        }
                        if let s = prev.sidecarSignature?.lowercased(), let ps = r.previousDigestSignature?.lowercased(), s != ps {
                            wrong.append("its sidecar signature differs from the previousDigestSignature the next digest recorded")
                        }
                        if !wrong.isEmpty {
                            add(.digestAltered, file: prev.path, start: prev.record.digestStartTime, end: prev.record.digestEndTime,
                                wrong.joined(separator: "; "))
                        }
                    } else if !unreadableKeys.contains(pk) {
                        missingPrevious = p
                    }
                }
                // A digest whose signature fails proves nothing about time: its start and end
                // are whatever was written into it (year 1 to 9999 would hide every gap). Its
                // hours count as uncovered, and it sets no part of the verified span.
                if forged { continue }
                if let c = cursor, r.digestStartTime > c || missingPrevious != nil {
                    var gapEnd = r.digestStartTime
                    if let pk = missingPrevious {
                        let oneBefore = r.digestStartTime.adding(EventTime.Duration(milliseconds: -period.milliseconds))
                        let from = c < r.digestStartTime ? max(c, oneBefore) : oneBefore
                        holes.append(Hole(account: account, region: region, start: from, end: r.digestStartTime, findingIndex: findings.count))
                        add(.digestMissing, file: pk, start: from, end: r.digestStartTime,
                            "named as previousDigestS3Object by the next digest but not in the tree")
                        gapEnd = max(c, from)
                    }
                    if gapEnd > c {
                        holes.append(Hole(account: account, region: region, start: c, end: gapEnd, findingIndex: findings.count))
                        let why = r.startsChain && missingPrevious == nil
                            ? "no digest covers these hours; the next digest starts a new chain (logging stopped and started again)"
                            : "no digest covers these hours and none names them (digests deleted)"
                        add(.loggingGap, file: d.path, start: c, end: gapEnd, why)
                    }
                } else if cursor == nil, let pk = missingPrevious {
                    add(.digestMissing, file: pk, start: r.digestStartTime.adding(EventTime.Duration(milliseconds: -period.milliseconds)),
                        end: r.digestStartTime, "named as previousDigestS3Object by the first digest in the tree but not in the tree")
                }
                cursor = max(cursor ?? r.digestEndTime, r.digestEndTime)
                span.start = covered ? min(span.start, r.digestStartTime) : r.digestStartTime
                span.end = covered ? max(span.end, r.digestEndTime) : r.digestEndTime
                covered = true
            }
            spans.append(span)
        }

        // Log files that no digest lists.
        var outside = 0
        for l in logs where !listed.contains(l.name.key) {
            guard let t = l.name.delivered else { outside += 1; continue }
            let place = "\(l.name.account)\u{0}\(l.name.region)"
            if let w = windows[place]?.first(where: { $0.start <= t && t < $0.end }) {
                findings.append(Finding(
                    kind: .logUnlisted, account: l.name.account, region: l.name.region, file: l.path, digest: w.path,
                    start: t, end: t, detail: "delivered \(t.iso8601), inside the hour of the digest, which does not list it"))
            } else if let h = holes.firstIndex(where: { $0.account == l.name.account && $0.region == l.name.region && $0.start <= t && t < $0.end }) {
                holes[h].unlistedLogs += 1
            } else {
                outside += 1
            }
        }
        for h in holes where h.unlistedLogs > 0 {
            findings[h.findingIndex].detail += "; \(h.unlistedLogs) log file(s) delivered in this span are covered by no digest"
        }
        findings.sort(by: Self.order)
        return (findings, spans, outside)
    }

    /// The median digest period of a chain; an hour when the chain does not say.
    private func medianPeriod(_ members: [Int]) -> EventTime.Duration {
        let periods = members.map { digests[$0].record.digestStartTime.distance(to: digests[$0].record.digestEndTime).milliseconds }
            .filter { $0 > 0 }.sorted()
        guard !periods.isEmpty else { return .hours(1) }
        return EventTime.Duration(milliseconds: periods[periods.count / 2])
    }

    /// Findings by account, region, time, kind, file.
    static func order(_ a: Finding, _ b: Finding) -> Bool {
        if a.account != b.account { return a.account < b.account }
        if a.region != b.region { return a.region < b.region }
        let ta = a.start?.milliseconds ?? Int64.min, tb = b.start?.milliseconds ?? Int64.min
        if ta != tb { return ta < tb }
        if a.kind.rawValue != b.kind.rawValue { return a.kind.rawValue < b.kind.rawValue }
        return a.file < b.file
    }
}
