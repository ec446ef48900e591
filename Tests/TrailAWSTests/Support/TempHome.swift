import Foundation
import Synchronization
import TrailSync
import TrailAWS

/// A temporary HOME with `.aws/` files, removed by `remove()`.
struct TempHome {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/trailaws-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_780_000_000)) { current = Mutex(start) }
    var now: Date { current.locked { $0 } }
    func advance(_ seconds: TimeInterval) { current.locked { $0 += seconds } }
    var function: @Sendable () -> Date { { [self] in self.now } }
}

/// ISO 8601 text of `date` (as STS, IMDS and container endpoints write expiry times).
func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

/// An STS `AssumeRole`/`AssumeRoleWithWebIdentity` response body.
func stsResponse(action: String, key: String, expiration: Date) -> String {
    """
    <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><\(action)Result>
    <Credentials><AccessKeyId>\(key)</AccessKeyId><SecretAccessKey>s&amp;ecret</SecretAccessKey>
    <SessionToken>tok</SessionToken><Expiration>\(iso(expiration))</Expiration></Credentials>
    </\(action)Result></\(action)Response>
    """
}

/// One HTTP client for all tests: never released, so it need not be shut down.
let testTransport = AsyncHTTPTransport(connectTimeout: 1)
