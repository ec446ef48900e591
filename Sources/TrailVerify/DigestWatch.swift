import Foundation
import TrailIngest
import TrailModel

/// The checks `trailwatch tail` runs when one digest lands, against the local copy of the trail
/// around it: the log files it lists (present, same SHA-256), its link to the previous digest
/// (present, same SHA-256, that digest's signature verifies with the `previousDigestSignature`
/// carried here), its own signature when a `.metadata.json` sidecar is beside it, and a logging
/// gap before it (hours between the previous digest of its trail and this one, including the
/// hours before a deleted previous digest when more than one was deleted).
///
/// Paths are formed from the digest's own path: the part before its `AWSLogs/` key is the local
/// root of the bucket copy, and every S3 key it names is looked up under that root.
public struct DigestWatch: Sendable {
    /// The result for one digest.
    public struct Outcome: Sendable {
        public var findings: [Finding] = []
        /// Digests whose signature verified here: this one (through its sidecar) and the previous
        /// one (through the signature this one carries).
        public var verified: [(name: TrailObjectName, path: String, end: EventTime)] = []
    }

    public var keys: PublicKeyRing
    public var maxDigestBytes = 64 << 20

    public init(keys: PublicKeyRing) { self.keys = keys }

    /// Checks the digest at `path` whose uncompressed bytes are `bytes`. `lastKnownEnd` is the end
    /// of the newest digest of the same trail known from earlier (the store), used when no earlier
    /// digest is found beside this one. Nil when `path` is not a digest.
    public func check(path: String, bytes: [UInt8], lastKnownEnd: EventTime?) -> Outcome? {
        guard let name = TrailObjectName.parse(path), name.kind == .digest else { return nil }
        var out = Outcome()
        func add(_ kind: Finding.Kind, file: String, proof: String?, _ start: EventTime?, _ end: EventTime?, _ detail: String) {
            out.findings.append(Finding(kind: kind, account: name.account, region: name.region, file: file, digest: proof,
                                        start: start, end: end, detail: detail))
        }
        let record: DigestRecord
        do {
            record = try DigestRecord(json: bytes, path: path)
        } catch {
            add(.digestUnreadable, file: path, proof: nil, nil, nil, error.description)
            return out
        }
        let root = path.hasSuffix(name.key) ? String(path.dropLast(name.key.count)) : ""
        func local(_ key: String) -> String { root + TrailObjectName.keyFromAWSLogs(key) }
        let sha = Hex.encode(SHA256Digest.of(bytes))

        // Log files.
        var hasher = ContentHasher()
        for entry in record.logFiles {
            let from = entry.oldestEventTime ?? record.digestStartTime
            let to = entry.newestEventTime ?? record.digestEndTime
            let file = local(entry.s3Object)
            guard FileManager.default.fileExists(atPath: file) else {
                add(.logMissing, file: entry.s3Object, proof: path, from, to, "listed by the digest but not in the tree")
                continue
            }
            do {
                let got = try hasher.hash(path: file).sha256
                if got != entry.sha256.lowercased() {
                    add(.logAltered, file: file, proof: path, from, to, "SHA-256 of the content is \(got), the digest lists \(entry.sha256)")
                }
            } catch {
                add(.logUnreadable, file: file, proof: path, from, to, error.reason)
            }
        }

        // Its own signature, when a sidecar is beside it.
        let sidecar = path + ".metadata.json"
        if let raw = try? FileReader.readRaw(path: sidecar, maxBytes: 1 << 20),
           let signature = try? SignatureSidecar.signature(json: raw, path: sidecar) {
            if let key = keys.key(fingerprint: record.digestPublicKeyFingerprint) {
                if SignatureCheck.isValid(signatureHex: signature, digest: record, sha256Hex: sha, key: key.key) {
                    out.verified.append((name, path, record.digestEndTime))
                } else {
                    add(.digestBadSignature, file: path, proof: path, record.digestStartTime, record.digestEndTime,
                        "the signature from its .metadata.json sidecar does not verify with key \(key.fingerprint)")
                }
            } else {
                add(.digestUnknownKey, file: path, proof: path, record.digestStartTime, record.digestEndTime,
                    "signed with key \(record.digestPublicKeyFingerprint), which is not among the \(keys.keys.count) public keys")
            }
        }

        // The previous digest, and the time since it.
        var previousEnd: EventTime? = nil
        if let p = record.previousDigestS3Object {
            let prevPath = local(p)
            let oneBefore = record.digestStartTime.adding(.hours(-1))
            guard FileManager.default.fileExists(atPath: prevPath) else {
                add(.digestMissing, file: p, proof: path, oneBefore, record.digestStartTime,
                    "named as previousDigestS3Object by the digest but not in the tree")
                // More than one digest deleted: the hours before the named one are named by none.
                if let earlier = newestEarlierDigestEnd(beside: path, name: name, before: oneBefore), earlier < oneBefore {
                    add(.loggingGap, file: path, proof: path, earlier, oneBefore,
                        "no digest covers these hours and none names them (digests deleted)")
                }
                return out
            }
            do {
                let content = try FileReader.read(path: prevPath, maxBytes: maxDigestBytes)
                let prevSHA = Hex.encode(SHA256Digest.of(content.bytes))
                let prev = try DigestRecord(json: content.bytes, path: prevPath)
                previousEnd = prev.digestEndTime
                if let h = record.previousDigestHashValue?.lowercased(), h != prevSHA {
                    add(.digestAltered, file: prevPath, proof: path, prev.digestStartTime, prev.digestEndTime,
                        "its SHA-256 is \(prevSHA), the next digest recorded \(h)")
                } else if let key = keys.key(fingerprint: prev.digestPublicKeyFingerprint) {
                    if let s = record.previousDigestSignature,
                       SignatureCheck.isValid(signatureHex: s, digest: prev, sha256Hex: prevSHA, key: key.key) {
                        if let prevName = TrailObjectName.parse(prevPath) { out.verified.append((prevName, prevPath, prev.digestEndTime)) }
                    } else {
                        add(.digestBadSignature, file: prevPath, proof: path, prev.digestStartTime, prev.digestEndTime,
                            "the previousDigestSignature the next digest carries does not verify with key \(key.fingerprint)")
                    }
                } else {
                    add(.digestUnknownKey, file: prevPath, proof: path, prev.digestStartTime, prev.digestEndTime,
                        "signed with key \(prev.digestPublicKeyFingerprint), which is not among the \(keys.keys.count) public keys")
                }
            } catch let error as VerifyError {
                add(.digestUnreadable, file: prevPath, proof: path, nil, nil, error.description)
            } catch let error as IngestError {
                add(.digestUnreadable, file: prevPath, proof: path, nil, nil, error.description)
            } catch {
                add(.digestUnreadable, file: prevPath, proof: path, nil, nil, "\(error)")
            }
        } else {
            previousEnd = newestEarlierDigestEnd(beside: path, name: name, before: record.digestStartTime) ?? lastKnownEnd
        }
        if let end = previousEnd, end < record.digestStartTime {
            let why = record.startsChain
                ? "no digest covers these hours; this digest starts a new chain (logging stopped and started again)"
                : "no digest covers these hours and none names them (digests deleted)"
            add(.loggingGap, file: path, proof: path, end, record.digestStartTime, why)
        }
        return out
    }

    /// The end of the newest earlier digest of the same trail in this digest's day folder or the
    /// day before (a chain that restarts after a longer stop falls back on the store).
    func newestEarlierDigestEnd(beside path: String, name: TrailObjectName, before start: EventTime) -> EventTime? {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        guard let delivered = name.delivered else { return nil }
        let day = delivered.adding(.days(-1)).iso8601
        let yesterday = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(String(day.prefix(4))).appendingPathComponent(String(day.dropFirst(5).prefix(2)))
            .appendingPathComponent(String(day.dropFirst(8).prefix(2)))
        var best: (stamp: EventTime, path: String)? = nil
        for dir in [folder, yesterday] {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
                guard let other = TrailObjectName.parse(entry), other.kind == .digest, other.trail == name.trail,
                      other.homeRegion == name.homeRegion, other.account == name.account, other.region == name.region,
                      let stamp = other.delivered, stamp < delivered else { continue }
                if best.map({ stamp > $0.stamp }) ?? true { best = (stamp, dir.appendingPathComponent(entry).path) }
            }
        }
        guard let best, let content = try? FileReader.read(path: best.path, maxBytes: maxDigestBytes),
              let record = try? DigestRecord(json: content.bytes, path: best.path) else { return nil }
        return record.digestEndTime <= start ? record.digestEndTime : nil
    }
}
