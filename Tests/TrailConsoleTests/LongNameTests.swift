import Foundation
import Testing
@testable import TrailConsole
import TrailModel
import TrailStore

/// Names as long as AWS allows (a 470-character secret ARN, a long role path) and names with
/// control characters open their pages through the links the console makes.
@Suite struct LongNameTests {
    static let longName = "team/" + String(repeating: "n", count: 400)
    static let controlName = "ctl\u{01}name\u{1B}[31m"
    static let role = "arn:aws:iam::111111111111:role/" + String(repeating: "r", count: 60) + "/" + String(repeating: "p", count: 400)

    static func console() throws -> Console {
        let f = ConsoleFixture.self
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trailconsole-long-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/console.db"
        let writer = try Store.open(path: path)
        let long = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:\(longName)-AbCdEf", name: longName,
                             account: f.account, region: "us-east-1", isFullARN: true)
        let control = SecretRef(id: "arn:aws:secretsmanager:us-east-1:111111111111:secret:\(controlName)-AbCdEf", name: controlName,
                                account: f.account, region: "us-east-1", isFullARN: true)
        let principal = Principal(type: "AssumedRole", id: role, session: "s", accountId: f.account)
        let events = [f.event("l1", "2024-05-08T10:00:00Z", "GetSecretValue", principal, [long]),
                      f.event("l2", "2024-05-08T11:00:00Z", "GetSecretValue", principal, [control])]
        try writer.commit(FileCommit(
            ledger: FileLedgerEntry(path: "f.json.gz", size: 1, fingerprint: "fp", format: "cloudTrailLog", records: 2, status: .done,
                                    ingestedAt: f.now, newestEventTime: events[1].eventTime),
            events: events, alerts: [], learnedSecrets: [long, control]))
        return Console(store: try Store.open(path: path, readOnly: true), clock: { f.now })
    }

    @Test func linksToLongAndControlCharacterNamesOpen() async throws {
        let router = try Self.console().router(token: nil)
        for (path, name) in [("/secret", Self.longName), ("/secret", Self.controlName), ("/principal", Self.role),
                             ("/secret", "arn:aws:secretsmanager:us-east-1:111111111111:secret:\(Self.longName)-AbCdEf")] {
            let link = HTMLEscape.link(path, [("name", name)])
            let r = try await ConsoleFixture.get(router, link)
            #expect(r.status == .ok, "\(link.prefix(80)): \(r.body.prefix(300))")
            #expect(!r.body.contains("\u{1B}"), "control characters are not sent raw")
        }
        // API errors show control and bidi characters visibly.
        #expect(TerminalText.safe("a\u{1B}[31m\u{202E}b\nc", keepingNewlines: true) == "a\\u{1b}[31m\\u{202e}b\nc")
    }
}
