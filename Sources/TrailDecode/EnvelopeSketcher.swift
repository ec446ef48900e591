#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import Synchronization
import TrailSync
import TrailJSON
import TrailModel

/// What the pipeline needs of a record to match it without normalising it first: where the
/// envelope's values sit in the record's document, the envelope's constant part, the parsed
/// `eventTime`, and whether the event is one the access history may keep.
public struct RecordSketch {
    /// `{"version":"0","detail-type":…,"source":…}` for the record's source and type (shared).
    public var constants: JSONValue
    /// Nodes of the record's document holding the envelope's `id`, `time`, `region` and
    /// `account` (plain ASCII strings).
    public var eventID: Int
    public var time: Int
    public var region: Int
    public var account: Int
    /// Node of the record's `resources` (its elements' `ARN`s are the envelope's `resources`), or -1.
    public var resources: Int
    /// The parsed `eventTime`, as ``Normaliser`` parses it.
    public var eventTime: EventTime
    /// `eventSource` is `secretsmanager.amazonaws.com`.
    public var isSecretsManager: Bool
    /// `eventSource` is `kms.amazonaws.com`.
    public var isKMS: Bool
    /// For KMS events: whether the record could name a secret. False when its text holds neither
    /// `secretsmanager` nor any backslash, so that no string in it can be a secret ARN.
    public var kmsMayNameSecret: Bool
}

/// Reads, in one pass over a record's top-level members, what ``RecordSketch`` holds, so that
/// records that match no rule and concern no secret never need normalising.
///
/// A sketch describes exactly the envelope ``EnvelopeBuilder/envelope(for:record:)`` would build
/// from the normalised event. Records in a less common form (escaped or non-ASCII values, no
/// `awsRegion`, an account only under `sessionIssuer`, `@timestamp` instead of `eventTime`, ...)
/// get no sketch: normalise those and build their envelope the usual way. The constant parts are
/// cached, so one sketcher serves many records (one task at a time); `shared` keeps them across
/// sketchers (files).
public struct EnvelopeSketcher {
    private var cache: [EnvelopeConstantsCache.Entry] = []
    private let shared: EnvelopeConstantsCache?

    public init(shared: EnvelopeConstantsCache? = nil) {
        self.shared = shared
    }

    /// `eventType` values with their own `detail-type`; any other (or none) is an API call.
    static let eventTypes: [StaticString] = [
        "AwsServiceEvent", "AwsConsoleSignIn", "AwsConsoleAction", "AwsCloudTrailInsight", "AwsVpceEvent", "AwsApiCall",
    ]

    /// The sketch of `record`, or nil when it must take the normalising path.
    public mutating func sketch(_ record: DecodedRecord) -> RecordSketch? {
        record.record.document.withCursor { t in sketch(t, record.record.index, record.fields, record.plainEventTime) }
    }

    /// The sketch of a record object, or nil when it must take the normalising path.
    public mutating func sketch(_ record: JSONValue) -> RecordSketch? {
        record.document.withCursor { t in sketch(t, record.index, RecordFields(t, record.index), nil) }
    }

    /// `parsedTime`: `eventTime` as parsed from its plain bytes, when the caller has it.
    private mutating func sketch(_ t: Tape, _ rec: Int, _ f: RecordFields, _ parsedTime: EventTime?) -> RecordSketch? {
        guard t.kind(rec) == .object else { return nil }
        guard let id = t.plainBytes(f.eventID), id.count > 0, Self.isASCII(id),
              let eventTime = parsedTime ?? t.plainBytes(f.eventTime).flatMap({ EventTimeParser.parse($0) }),
              let region = t.plainBytes(f.awsRegion), Self.isASCII(region)
        else { return nil }
        var account = -1
        if let recipient = t.plainBytes(f.recipientAccountId), recipient.count > 0 {
            guard Self.isASCII(recipient) else { return nil }
            account = f.recipientAccountId
        } else {
            // An empty, escaped or non-string `recipientAccountId` falls back to the identity's
            // account, as the normaliser does.
            if f.recipientAccountId >= 0, t.kind(f.recipientAccountId) == .string, t.rawStringLength(f.recipientAccountId) > 0 { return nil }
            let a = t.member(f.userIdentity, "accountId")
            guard let bytes = t.plainBytes(a), bytes.count > 0, Self.isASCII(bytes) else { return nil }
            account = a
        }
        var detailType = Self.eventTypes.count - 1
        if f.eventType >= 0, t.kind(f.eventType) == .string {
            guard let type = t.plainBytes(f.eventType) else { return nil }
            for (k, known) in Self.eventTypes.enumerated() where Self.equals(type, known) {
                detailType = k
                break
            }
        }
        var source = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        if f.eventSource >= 0, t.kind(f.eventSource) == .string {
            guard let bytes = t.plainBytes(f.eventSource) else { return nil }
            source = bytes
        }
        let constants = constants(source: source, detailType: detailType)
        let isKMS = Self.equals(source, "kms.amazonaws.com")
        return RecordSketch(
            constants: constants.root, eventID: f.eventID, time: f.eventTime, region: f.awsRegion, account: account,
            resources: f.resources, eventTime: eventTime,
            isSecretsManager: Self.equals(source, "secretsmanager.amazonaws.com"),
            isKMS: isKMS,
            kmsMayNameSecret: isKMS && Self.mayNameSecret(t, rec)
        )
    }

    /// Whether the record's text holds `secretsmanager` or a backslash (an escaped string could
    /// spell it).
    private static func mayNameSecret(_ t: Tape, _ rec: Int) -> Bool {
        let text = t.sourceBytes(rec)
        guard let base = text.baseAddress else { return false }
        let p = UnsafeRawPointer(base)
        let n = text.count
        if memchr(p, Int32(UInt8(ascii: "\\")), n) != nil { return true }
        // Find each `g` (rarer than the other letters) and compare around it.
        let needle: StaticString = "secretsmanager"
        let length = needle.utf8CodeUnitCount, g = 11
        var from = g
        while from < n - (length - g - 1) {
            guard let hit = memchr(base + from, Int32(UInt8(ascii: "g")), n - (length - g - 1) - from) else { return false }
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if Tape.equal(base + at - g, needle.utf8Start, length) { return true }
            from = at + 1
        }
        return false
    }

    /// The constants for a source and `detail-type`: from this sketcher's few most recent ones
    /// (a file names a handful of sources), else from the shared cache, else built.
    ///
    /// Both caches are bounded, and neither is scanned past ``localLimit`` entries: a hostile
    /// file naming a new source in every record costs a build per record, not a scan of all the
    /// sources before it (200,000 such records took 49 s and 443 MB with an unbounded list).
    private mutating func constants(source: UnsafeBufferPointer<UInt8>, detailType: Int) -> JSONDocument {
        for entry in cache where entry.matches(source, detailType) { return entry.document }
        let entry = shared?.entry(source: source, detailType: detailType) ?? EnvelopeConstantsCache.Entry(source: source, detailType: detailType)
        if cache.count < Self.localLimit { cache.append(entry) }
        return entry.document
    }

    /// Most sources one sketcher keeps in its own list.
    static let localLimit = 32

    /// How many sources this sketcher keeps in its own list.
    var sourcesKept: Int { cache.count }

    @inline(__always)
    private static func equals(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard b.count == s.utf8CodeUnitCount, let p = b.baseAddress else { return false }
        return Tape.equal(p, s.utf8Start, b.count)
    }

    @inline(__always)
    private static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = b.baseAddress else { return true }
        var i = 0
        let n = b.count
        while i &+ 8 <= n {
            if UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i &+= 8
        }
        while i < n {
            if p[i] >= 0x80 { return false }
            i &+= 1
        }
        return true
    }
}

/// The constant parts of envelopes (``EnvelopeBuilder/constants(eventSource:eventType:)``) by
/// event source and `detail-type`, shared by the sketchers of concurrent tasks.
public final class EnvelopeConstantsCache: Sendable {
    struct Entry: Sendable {
        let eventSource: [UInt8]
        let detailType: Int
        let document: JSONDocument

        /// Builds the constants from the same strings the normaliser would produce: the decoded
        /// `eventSource` and an `eventType` with the same `detail-type`.
        init(source: UnsafeBufferPointer<UInt8>, detailType: Int) {
            eventSource = Array(source)
            self.detailType = detailType
            document = EnvelopeBuilder.constants(eventSource: String(decoding: source, as: UTF8.self),
                                                 eventType: EnvelopeSketcher.eventTypes[detailType].description)
        }

        @inline(__always)
        func matches(_ source: UnsafeBufferPointer<UInt8>, _ type: Int) -> Bool {
            guard detailType == type, eventSource.count == source.count else { return false }
            if source.isEmpty { return true }
            return eventSource.withUnsafeBufferPointer { e in
                Tape.equal(e.baseAddress.unsafelyUnwrapped, source.baseAddress.unsafelyUnwrapped, source.count)
            }
        }
    }

    /// A source's bytes and `detail-type`, the key of the shared entries.
    private struct Key: Hashable {
        let source: [UInt8]
        let detailType: Int
    }

    private let entries = Mutex<[Key: Entry]>([:])

    /// Most entries kept: AWS has a few hundred event sources; whatever a hostile archive names
    /// beyond this is built where it is needed and not kept.
    static let limit = 4096

    public init() {}

    /// How many entries are kept.
    var count: Int { entries.locked { $0.count } }

    func entry(source: UnsafeBufferPointer<UInt8>, detailType: Int) -> Entry {
        let key = Key(source: Array(source), detailType: detailType)
        if let found = entries.locked({ $0[key] }) { return found }
        // Built outside the lock: another sketcher may build the same entry meanwhile; either is right.
        let entry = Entry(source: source, detailType: detailType)
        entries.locked { entries in
            if entries.count < Self.limit { entries[key] = entry }
        }
        return entry
    }
}
