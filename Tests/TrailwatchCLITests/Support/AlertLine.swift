import Foundation

/// The fields of one alert JSON line (standard output of `backfill`/`tail`) that the tests check.
struct AlertLine: Decodable, Equatable {
    struct Principal: Decodable, Equatable {
        var type: String?
        var id: String?
        var session: String?
        var name: String?
    }

    struct Secret: Decodable, Equatable {
        var id: String?
        var name: String?
    }

    var id: String
    var rule: String
    var severity: String
    var title: String?
    var summary: String?
    var time: String?
    var account: String?
    var region: String?
    var principal: Principal?
    var secret: Secret?
    var eventID: String
    var eventName: String?
    var count: Int?

    struct Invalid: Error, CustomStringConvertible {
        var line: String
        var underlying: String
        var description: String { "not an alert JSON line (\(underlying)): \(line.prefix(300))" }
    }

    /// Decodes every non-empty line of `stdout`; throws on the first line that is not an alert.
    static func parse(_ stdout: String) throws -> [AlertLine] {
        try stdout.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            do {
                return try JSONDecoder().decode(AlertLine.self, from: Data(line.utf8))
            } catch {
                throw Invalid(line: String(line), underlying: "\(error)")
            }
        }
    }

    /// `rule severity eventID`, for readable comparisons.
    var key: String { "\(rule) \(severity) \(eventID)" }
}
