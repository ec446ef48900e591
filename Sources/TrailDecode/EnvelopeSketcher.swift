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
}

/// Reads, in one pass over a record's top-level members, what ``RecordSketch`` holds, so that
/// records that match no rule and concern no secret never need normalising.
///
/// A sketch describes exactly the envelope ``EnvelopeBuilder/envelope(for:record:)`` would build
/// from the normalised event. Records in a less common form (escaped or non-ASCII values, no
/// `awsRegion`, an account only under `sessionIssuer`, `@timestamp` instead of `eventTime`, ...)
/// get no sketch: normalise those and build their envelope the usual way. The constant parts are
/// cached, so one sketcher serves many records (one task at a time).
public struct EnvelopeSketcher {
    private struct CachedConstants {
        var eventSource: [UInt8]
        var detailType: Int
        var document: JSONDocument
    }

    private var cache: [CachedConstants] = []

    public init() {}

    /// `eventType` values with their own `detail-type`; any other (or none) is an API call.
    private static let eventTypes: [StaticString] = [
        "AwsServiceEvent", "AwsConsoleSignIn", "AwsConsoleAction", "AwsCloudTrailInsight", "AwsVpceEvent", "AwsApiCall",
    ]

    /// The sketch of `record`, or nil when it must take the normalising path.
    public mutating func sketch(_ record: JSONValue) -> RecordSketch? {
        Tape.with(record.document) { t in sketch(t, record.index) }
    }

    private mutating func sketch(_ t: Tape, _ rec: Int) -> RecordSketch? {
        guard t.kind(rec) == .object else { return nil }
        let f = RecordFields(t, rec)
        guard let id = t.plainBytes(f.eventID), id.count > 0, Self.isASCII(id),
              let timeBytes = t.plainBytes(f.eventTime), let eventTime = EventTimeParser.parse(timeBytes),
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
        var source: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: t.base, count: 0)
        if f.eventSource >= 0, t.kind(f.eventSource) == .string {
            guard let bytes = t.plainBytes(f.eventSource) else { return nil }
            source = bytes
        }
        let constants = constants(source: source, detailType: detailType)
        return RecordSketch(
            constants: constants.root, eventID: f.eventID, time: f.eventTime, region: f.awsRegion, account: account,
            resources: f.resources, eventTime: eventTime,
            isSecretsManager: Self.equals(source, "secretsmanager.amazonaws.com"),
            isKMS: Self.equals(source, "kms.amazonaws.com")
        )
    }

    private mutating func constants(source: UnsafeBufferPointer<UInt8>, detailType: Int) -> JSONDocument {
        for entry in cache where entry.detailType == detailType && entry.eventSource.count == source.count {
            let same = entry.eventSource.withUnsafeBufferPointer { e in
                source.isEmpty || Tape.equal(e.baseAddress.unsafelyUnwrapped, source.baseAddress.unsafelyUnwrapped, source.count)
            }
            if same { return entry.document }
        }
        // The same strings the normaliser would produce: the decoded `eventSource` and the
        // `eventType` (only its `detail-type` matters).
        let eventSource = String(decoding: source, as: UTF8.self)
        let eventType = Self.eventTypes[detailType].description
        let document = EnvelopeBuilder.constants(eventSource: eventSource, eventType: eventType)
        cache.append(CachedConstants(eventSource: Array(source), detailType: detailType, document: document))
        return document
    }

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
