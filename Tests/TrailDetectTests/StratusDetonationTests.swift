import Foundation
import Testing
import TrailDecode
import TrailDetect
import TrailJSON
import TrailModel

/// The real Stratus Red Team detonation logs in `../shared/corpus/real` must each raise the
/// matching shipped alert (skipped, with the reason, when `../shared` is absent).
@Suite struct StratusDetonationTests {
    static let directory = Paths.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/real/stratus-red-team/detonation-logs")
    static var present: Bool { FileManager.default.fileExists(atPath: directory.path) }

    static let cases: [(file: String, rule: String, severity: Severity, summary: String)] = [
        ("aws.defense-evasion.cloudtrail-stop.json", "trail-logging-stopped", .high,
         "user/christophe stopped logging of trail stratus-red-team-ct-stop-trail-buykxbqejv"),
        ("aws.defense-evasion.cloudtrail-delete.json", "trail-deleted", .high,
         "user/christophe deleted trail stratus-red-team-cloudtraild-trail-kvrwohmiai"),
        ("aws.defense-evasion.cloudtrail-event-selectors.json", "trail-event-selectors-narrowed", .high,
         "user/christophe narrowed the event selectors of trail stratus-red-team-ctes-trail-khlvciwdor: read management events of Secrets Manager (GetSecretValue) are no longer logged"),
        ("aws.defense-evasion.organizations-leave.json", "organization-left", .medium,
         "role/stratus-red-team-leave-org-role (aws-go-sdk-1722587398902687000) tried to take account 307578594326 out of its organization (AccessDenied)"),
        ("aws.credential-access.secretsmanager-batch-retrieve-secrets.json", "secret-batch-retrieval-volume", .high,
         "user/christophe made 5 BatchGetSecretValue calls within 1 day"),
    ]

    @Test(.enabled(if: present, "../shared/corpus/real is not beside the package"), arguments: cases.indices)
    func detonationRaisesItsAlert(index: Int) throws {
        let c = Self.cases[index]
        let path = Self.directory.appendingPathComponent(c.file).path
        let decoded = try RecordDecoder.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        let h = try Harness(rules: try RuleLoader.loadShipped())
        let alerts = h.file(decoded: decoded.records).alerts
        let mine = alerts.filter { $0.rule == c.rule }
        #expect(mine.count == 1, "\(c.file): \(alerts.map { "\($0.rule): \($0.summary)" })")
        let alert = try #require(mine.first)
        #expect(alert.severity == c.severity)
        #expect(alert.summary.hasPrefix(c.summary), "\(alert.summary)")
        // Nothing else fires on a detonation but the rules made for it.
        #expect(Set(alerts.map(\.rule)).isSubset(of: [c.rule]), "\(alerts.map(\.rule))")
    }
}
