import TrailModel

/// Reads the secrets and the detector facts out of a record's `requestParameters`,
/// `responseElements`, `additionalEventData` and `resources`, one pass over each.
///
/// Only named members are read; secret values (`secretString`, `secretBinary`, plaintext) are
/// never touched.
struct EventFactsExtractor: ~Escapable {
    let t: Tape
    let eventName: String
    let isSecretsManager: Bool
    let isKMS: Bool

    // requestParameters
    private var secretId = -1, secretIdList = -1, name = -1, encryptionContext = -1, keyId = -1, kmsKeyId = -1
    private var recoveryWindowInDays = -1, forceDeleteWithoutRecovery = -1, resourcePolicy = -1, policy = -1
    private var blockPublicPolicy = -1, filters = -1, pendingWindowInDays = -1
    // responseElements
    private var responseARN = -1, responseLowerARN = -1, responseKeyId = -1, keyMetadata = -1, responsePendingWindow = -1
    // additionalEventData
    private var additionalSecretId = -1
    // resources[]
    private var resourceSecrets: [Int] = []
    private var resourceKeys: [Int] = []

    @_lifetime(copy t)
    init(t: Tape, fields f: RecordFields, eventName: String, isSecretsManager: Bool, isKMS: Bool) {
        self.t = t
        self.eventName = eventName
        self.isSecretsManager = isSecretsManager
        self.isKMS = isKMS
        // Only Secrets Manager and KMS events carry what is read from requests and responses.
        if isSecretsManager || isKMS {
            scanRequest(f.requestParameters)
            scanResponse(f.responseElements)
            if isSecretsManager, f.additionalEventData >= 0 { additionalSecretId = t.member(f.additionalEventData, "SecretId") }
        }
        scanResources(f.resources)
    }

    private mutating func scanRequest(_ obj: Int) {
        guard obj >= 0 else { return }
        let t = self.t
        t.forEachMemberKey(obj) { key, v in
            guard let p = key.baseAddress else { return }
            @inline(__always) func eq(_ s: StaticString) -> Bool { Tape.equal(p, s.utf8Start, s.utf8CodeUnitCount) }
            switch key.count {
            case 4: if eq("name") { name = v }
            case 5: if eq("keyId") { keyId = v }
            case 6: if eq("policy") { policy = v }
            case 7:
                if eq("filters") { filters = v }
            case 8:
                if eq("secretId") { secretId = v } else if eq("kmsKeyId") { kmsKeyId = v }
            case 12: if eq("secretIdList") { secretIdList = v }
            case 14: if eq("resourcePolicy") { resourcePolicy = v }
            case 17:
                if eq("encryptionContext") { encryptionContext = v } else if eq("blockPublicPolicy") { blockPublicPolicy = v }
            case 19: if eq("pendingWindowInDays") { pendingWindowInDays = v }
            case 20: if eq("recoveryWindowInDays") { recoveryWindowInDays = v }
            case 26: if eq("forceDeleteWithoutRecovery") { forceDeleteWithoutRecovery = v }
            default: break
            }
        }
    }

    private mutating func scanResponse(_ obj: Int) {
        guard obj >= 0 else { return }
        let t = self.t
        t.forEachMemberKey(obj) { key, v in
            guard let p = key.baseAddress else { return }
            @inline(__always) func eq(_ s: StaticString) -> Bool { Tape.equal(p, s.utf8Start, s.utf8CodeUnitCount) }
            switch key.count {
            case 3: if eq("arn") { responseARN = v } else if eq("aRN") { responseLowerARN = v }
            case 5: if eq("keyId") { responseKeyId = v }
            case 11: if eq("keyMetadata") { keyMetadata = v }
            case 19: if eq("pendingWindowInDays") { responsePendingWindow = v }
            default: break
            }
        }
    }

    private mutating func scanResources(_ arr: Int) {
        guard arr >= 0 else { return }
        let t = self.t
        t.forEachElement(arr) { e in
            guard t.kind(e) == .object else { return }
            var type = -1, arn = -1
            t.forEachMember(e) { k, v in
                if t.isString(k, "type") { type = v } else if t.isString(k, "ARN") || t.isString(k, "arn") { arn = v }
            }
            guard arn >= 0, t.kind(arn) == .string else { return }
            if t.isString(type, "AWS::SecretsManager::Secret") { resourceSecrets.append(arn) }
            else if t.isString(type, "AWS::KMS::Key") { resourceKeys.append(arn) }
        }
    }

    // MARK: Secrets

    /// The secrets the event names, one ref per secret, most authoritative form first.
    func secrets(partition: PartitionSource, region: String, account: String) -> [SecretRef] {
        var refs: [SecretRef] = []
        func addARN(_ i: Int) {
            if let s = t.nonEmptyString(i), let r = SecretForms.fromARN(s) { refs.append(r) }
        }
        func addIdentifier(_ i: Int) {
            guard let s = t.nonEmptyString(i) else { return }
            if s.hasPrefix("arn:") {
                if let r = SecretForms.fromARN(s) { refs.append(r) }
            } else if isSecretsManager,
                      let r = SecretForms.fromIdentifier(s, partition: partition.value(), region: region, account: account) {
                refs.append(r)
            }
        }
        addARN(responseARN)
        addARN(responseLowerARN)
        addARN(additionalSecretId)
        for r in resourceSecrets { addARN(r) }
        if encryptionContext >= 0 { addARN(t.member(encryptionContext, "SecretARN")) }
        addIdentifier(secretId)
        t.forEachElement(secretIdList) { addIdentifier($0) }
        if isSecretsManager, refs.isEmpty, eventName == "CreateSecret" { addIdentifier(name) }
        return SecretForms.dedupe(refs)
    }

    // MARK: Details

    func details() -> EventDetails {
        var d = EventDetails()
        var keys: [String] = []
        var seen = Set<String>()
        func addKey(_ i: Int) {
            if let s = t.nonEmptyString(i), seen.insert(s).inserted { keys.append(s) }
        }
        for k in resourceKeys { addKey(k) }
        if isKMS {
            addKey(responseKeyId)
            addKey(t.member(keyMetadata, "arn"))
            addKey(keyId)
            d.pendingWindowInDays = t.lenientInt(pendingWindowInDays) ?? t.lenientInt(responsePendingWindow)
            if policy >= 0 { d.policy = policyText(policy) }
        }
        if isSecretsManager {
            addKey(kmsKeyId)
            d.recoveryWindowInDays = t.lenientInt(recoveryWindowInDays)
            d.forceDeleteWithoutRecovery = t.lenientBool(forceDeleteWithoutRecovery) ?? false
            if resourcePolicy >= 0 { d.policy = policyText(resourcePolicy) }
            d.blockPublicPolicy = t.lenientBool(blockPublicPolicy)
            if filters >= 0, eventName == "BatchGetSecretValue" { d.batchFilters = batchFilters(filters) }
        }
        d.kmsKeys = keys
        return d
    }

    /// A policy given as JSON text (CloudTrail's form) or as an object (some exports).
    private func policyText(_ i: Int) -> String? {
        switch t.kind(i) {
        case .string: t.string(i)
        case .object, .array: t.rawText(i)
        default: nil
        }
    }

    private func batchFilters(_ arr: Int) -> [BatchFilter] {
        var out: [BatchFilter] = []
        t.forEachElement(arr) { e in
            guard let key = t.string(t.member(e, "key")) else { return }
            var values: [String] = []
            t.forEachElement(t.member(e, "values")) { v in if let s = t.string(v) { values.append(s) } }
            out.append(BatchFilter(key: key, values: values))
        }
        return out
    }
}
