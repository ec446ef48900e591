import TrailModel
import TrailTestSupport

/// A deterministic generator of realistic secret-access events: a few accounts and regions,
/// thousands of secrets (some names repeated across accounts), hundreds of roles with skewed
/// activity (a few very busy services), users, root, batch reads, errors, KMS decrypts, and the
/// lifecycle events (create, policy, rotation, delete, restore) that the story queries need.
struct SyntheticHistory {
    static let accounts = ["111111111111", "222222222222", "333333333333"]
    static let regions = ["us-east-1", "eu-west-1"]
    let secretCount: Int
    let roleCount: Int
    let userCount: Int
    let start: EventTime
    let span: Int64
    private var random: SplitMix64
    private var serial: UInt64 = 0
    private(set) var secrets: [SecretRef] = []
    private(set) var roles: [Principal] = []
    private(set) var users: [Principal] = []

    init(seed: UInt64, secretCount: Int = 2000, roleCount: Int = 600, userCount: Int = 120, days: Int64 = 90) {
        self.secretCount = secretCount
        self.roleCount = roleCount
        self.userCount = userCount
        self.start = EventTime(milliseconds: 1_717_200_000_000)  // 2024-06-01T00:00:00Z
        self.span = days * 86_400_000
        self.random = SplitMix64(seed: seed)
        let suffixAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let envs = ["prod", "staging", "dev"]
        let kinds = ["db/password", "api-key", "oauth/client-secret", "tls/private-key", "webhook/token"]
        for i in 0..<secretCount {
            let account = Self.accounts[i % Self.accounts.count]
            let region = Self.regions[(i / Self.accounts.count) % Self.regions.count]
            // Every 50th name repeats in another account, as real estates do.
            let service = i % 50 == 0 ? (i / 150) : i / 3
            let name = "\(envs[(i / 7) % envs.count])/svc-\(service)/\(kinds[i % kinds.count])"
            var suffix = ""
            for _ in 0..<6 { suffix.append(suffixAlphabet[Int(random.next() % UInt64(suffixAlphabet.count))]) }
            secrets.append(SecretRef(id: "arn:aws:secretsmanager:\(region):\(account):secret:\(name)-\(suffix)",
                                     name: name, account: account, region: region, isFullARN: true))
        }
        for i in 0..<roleCount {
            let account = Self.accounts[i % Self.accounts.count]
            roles.append(Principal(type: "AssumedRole", id: "arn:aws:iam::\(account):role/service/app-\(i)", session: nil, accountId: account))
        }
        for i in 0..<userCount {
            let account = Self.accounts[i % Self.accounts.count]
            users.append(Principal(type: "IAMUser", id: "arn:aws:iam::\(account):user/dev-\(i)", accountId: account))
        }
    }

    /// The secrets a role reads: one to six, mostly in its own account.
    func secretsOf(role r: Int) -> [Int] {
        let n = 1 + r % 6
        return (0..<n).map { k in (r * 7 + k * 131 + (k > 0 ? r % 3 : 0)) % secretCount }
    }

    mutating func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    mutating func nextID() -> String {
        serial += 1
        let a = random.next(), b = random.next()
        func hex(_ v: UInt64, _ n: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, n - s.count)) + s.suffix(n)
        }
        return "\(hex(a >> 32, 8))-\(hex((a >> 16) & 0xFFFF, 4))-4\(hex(a & 0xFFF, 3))-\(hex(b >> 48, 4))-\(hex(b & 0xFFFF_FFFF_FFFF, 12))"
    }

    /// File `index` of `files`: `count` events within the file's slice of the history, unordered.
    mutating func file(index: Int, of files: Int, count: Int) -> [AuditEvent] {
        let sliceStart = start.milliseconds + span * Int64(index) / Int64(files)
        let sliceLength = max(1, span / Int64(files))
        var events: [AuditEvent] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            let t = EventTime(milliseconds: sliceStart + Int64(uniform() * Double(sliceLength)))
            events.append(event(at: t))
        }
        return events
    }

    private mutating func event(at t: EventTime) -> AuditEvent {
        let u = uniform()
        // Skewed activity: role 0 is the busiest service, and so on.
        let r = min(roleCount - 1, Int(pow3(uniform()) * Double(roleCount)))
        var principal = roles[r]
        principal.session = "i-0\(String(r * 7919 % 100_000, radix: 16))"
        let mine = secretsOf(role: r)
        let secretIndex = mine[Int(random.next() % UInt64(mine.count))]
        let secret = secrets[secretIndex]
        var name = "GetSecretValue"
        var source = "secretsmanager.amazonaws.com"
        var refs = [secret]
        var error: String?
        var details = EventDetails()
        var ip = "10.\(r % 200).\((r / 200) % 250).\(7 + r % 40)"
        var agent = "aws-sdk-java/2.25.\(r % 40) Linux/5.10"
        switch u {
        case ..<0.02:
            name = "BatchGetSecretValue"
            refs = Array(Set((0..<(2 + Int(random.next() % 4))).map { _ in secrets[mine[Int(random.next() % UInt64(mine.count))]] }))
        case ..<0.03:
            name = "DescribeSecret"
        case ..<0.04:
            name = "Decrypt"
            source = "kms.amazonaws.com"
            details.kmsKeys = ["arn:aws:kms:\(secret.region):\(secret.account):key/k-\(secretIndex % 50)"]
        case ..<0.045:
            error = "AccessDeniedException"
            principal = users[Int(random.next() % UInt64(users.count))]
            ip = "198.51.100.\(random.next() % 250)"
            agent = "aws-cli/2.15.\(random.next() % 30)"
        case ..<0.047:
            name = "ListSecrets"
            refs = []
            principal = users[Int(random.next() % UInt64(users.count))]
            agent = "console.amazonaws.com"
        case ..<0.0475:
            name = ["PutResourcePolicy", "UpdateSecret", "RotateSecret", "RotationSucceeded", "TagResource"][Int(random.next() % 5)]
            principal = users[Int(random.next() % UInt64(users.count))]
            if name == "PutResourcePolicy" { details.blockPublicPolicy = random.next() % 4 == 0 ? false : true }
            if name == "UpdateSecret" { details.kmsKeys = ["arn:aws:kms:\(secret.region):\(secret.account):key/upd-\(random.next() % 9)"] }
        case ..<0.0477:
            name = random.next() % 3 == 0 ? "RestoreSecret" : "DeleteSecret"
            principal = users[Int(random.next() % UInt64(users.count))]
            if name == "DeleteSecret" {
                if random.next() % 5 == 0 { details.forceDeleteWithoutRecovery = true } else { details.recoveryWindowInDays = [7, 14, 30][Int(random.next() % 3)] }
            }
        default:
            if u > 0.995 { name = "CreateSecret" }
        }
        return AuditEvent(
            eventID: nextID(), eventTime: t, eventSource: source, eventName: name,
            eventType: "AwsApiCall", region: secret.region, account: secret.account, sourceIPAddress: ip, userAgent: agent,
            errorCode: error, errorMessage: error.map { _ in "User is not authorized to perform: secretsmanager:GetSecretValue" },
            readOnly: name.hasPrefix("Get") || name.hasPrefix("Describe") || name.hasPrefix("List") || name.hasPrefix("BatchGet"),
            principal: principal, secrets: refs, details: details,
            location: RecordLocation(path: "synthetic", recordIndex: 0, byteOffset: 0))
    }

    private func pow3(_ x: Double) -> Double { x * x * x }
}

