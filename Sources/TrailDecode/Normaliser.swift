import TrailJSON
import TrailModel

/// Turns a decoded CloudTrail record into an ``AuditEvent``: the record's own fields, a stable
/// principal, the secrets concerned (one ref per secret) and the request/response facts that
/// detectors need.
///
/// Reads the record in place on its document's tape, one pass over each object it needs, and
/// builds strings only for fields it keeps. Never reads secret material (`SecretString`,
/// `SecretBinary`, plaintext). Secret refs from names and partial ARNs are upgraded to full ARNs
/// by ``SecretCatalog``, which the pipeline applies afterwards in file order.
public struct Normaliser: Sendable {
    public init() {}

    private static let eventSources = InternTable([
        "secretsmanager.amazonaws.com", "kms.amazonaws.com", "sts.amazonaws.com", "iam.amazonaws.com",
        "s3.amazonaws.com", "ec2.amazonaws.com", "signin.amazonaws.com", "lambda.amazonaws.com",
        "ssm.amazonaws.com", "logs.amazonaws.com", "monitoring.amazonaws.com", "cloudtrail.amazonaws.com",
        "rds.amazonaws.com", "dynamodb.amazonaws.com", "sso.amazonaws.com", "ecr.amazonaws.com",
    ])
    private static let eventTypes = InternTable([
        "AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn", "AwsConsoleAction", "AwsCloudTrailInsight", "AwsVpceEvent",
    ])
    private static let serviceHosts = InternTable([
        "secretsmanager.amazonaws.com", "AWS Internal", "kms.amazonaws.com", "cloudformation.amazonaws.com",
        "lambda.amazonaws.com", "ec2.amazonaws.com", "signin.amazonaws.com", "console.amazonaws.com",
    ])

    /// Normalises one record; fails (with the record's location) when it has no `eventID` or no
    /// valid `eventTime`, or is not an object.
    public func normalise(_ r: DecodedRecord) -> Result<AuditEvent, InvalidRecord> {
        r.record.document.withCursor { t in normalise(t, r.record.index, r.fields, r.checkedTime?.time, location: r.location) }
    }

    /// `checkedTime`: the record's time when the decoder already checked its `eventID` and time.
    private func normalise(_ t: Tape, _ rec: Int, _ f: RecordFields, _ checkedTime: EventTime?, location: RecordLocation) -> Result<AuditEvent, InvalidRecord> {
        guard t.kind(rec) == .object else {
            return .failure(InvalidRecord(location: location, reason: "record is not a JSON object"))
        }
        guard let eventID = t.nonEmptyString(f.eventID) else {
            return .failure(InvalidRecord(location: location, reason: "record has no eventID"))
        }
        let eventTime: EventTime
        if let checkedTime {
            eventTime = checkedTime
        } else {
            switch RecordCheck(t, eventID: f.eventID, time: f.time) {
            case let .invalid(reason): return .failure(InvalidRecord(location: location, reason: reason))
            case let .valid(time, _): eventTime = time
            }
        }

        let source = t.interned(f.eventSource, Self.eventSources)
        let eventSource = source?.string ?? ""
        let region = t.string(f.awsRegion) ?? ""
        let partition = PartitionSource(t: t, userIdentity: f.userIdentity, region: region)
        let principal = PrincipalResolver(t: t).resolve(f.userIdentity, partition: partition)
        let account = t.nonEmptyString(f.recipientAccountId) ?? principal.accountId ?? ""

        // The first two entries of `eventSources`.
        let isSecretsManager = source?.index == 0
        let isKMS = source?.index == 1
        let eventName = t.string(f.eventName) ?? ""
        let extractor = EventFactsExtractor(t: t, fields: f, eventName: eventName,
                                            isSecretsManager: isSecretsManager, isKMS: isKMS)
        let secrets = extractor.secrets(partition: partition, region: region, account: account)
        let details = extractor.details()

        return .success(AuditEvent(
            eventID: eventID,
            eventTime: eventTime,
            eventSource: eventSource,
            eventName: eventName,
            eventType: t.internedString(f.eventType, Self.eventTypes) ?? "",
            region: region,
            account: account,
            sourceIPAddress: t.internedString(f.sourceIPAddress, Self.serviceHosts),
            userAgent: t.internedString(f.userAgent, Self.serviceHosts),
            errorCode: t.nonEmptyString(f.errorCode),
            errorMessage: t.string(f.errorMessage),
            readOnly: t.lenientBool(f.readOnly),
            principal: principal,
            secrets: secrets,
            details: details,
            location: location
        ).replacingNULCharacters())
    }
}

/// The record's partition (`aws`, `aws-us-gov`, `aws-cn`), worked out only when needed: from the
/// first ARN in its identity, else from its region.
struct PartitionSource: ~Escapable {
    let t: Tape
    let userIdentity: Int
    let region: String

    @_lifetime(copy t) init(t: Tape, userIdentity: Int, region: String) {
        self.t = t
        self.userIdentity = userIdentity
        self.region = region
    }

    func value() -> String {
        let ui = userIdentity
        for candidate in [t.member(ui, "arn"), t.member(t.member(t.member(ui, "sessionContext"), "sessionIssuer"), "arn")] {
            if let s = t.nonEmptyString(candidate), let p = ARN.partition(of: s) { return String(p) }
        }
        return ARN.partition(forRegion: region)
    }
}
