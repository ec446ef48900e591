import TrailModel
import TrailPresentation
import TrailStore

/// A page's or API call's query string, validated: known parameters only, bounded lengths, times
/// and severities that parse, page numbers in range. Anything else is a `.badParameter` (HTTP 400)
/// naming the parameter.
struct ConsoleRequest: Sendable {
    static let maxValueBytes = 512
    /// Parameters that name a secret, a principal or an alert: attacker-made names (a role session
    /// name, a secret name) up to the longest legal ARN, control characters included (links
    /// percent-encode them; output escapes them).
    static let nameParameters: Set<String> = ["name", "secret", "principal", "q", "id"]
    static let maxNameBytes = 2048
    static let maxParameters = 16
    static let maxPage = 10_000
    /// Rows per page of a list.
    static let pageSize = 50

    private(set) var values: [String: String] = [:]

    init(pairs: [(String, String)], allowed: Set<String>) throws(ConsoleError) {
        guard pairs.count <= Self.maxParameters else {
            throw ConsoleError(.badParameter, subject: "query string", message: "more than \(Self.maxParameters) parameters")
        }
        for (key, value) in pairs {
            guard allowed.contains(key) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw ConsoleError(.badParameter, subject: "parameter \"\(key.prefix(40))\"", message: "not known here (known: \(known.isEmpty ? "none" : known))")
            }
            let isName = Self.nameParameters.contains(key)
            let cap = isName ? Self.maxNameBytes : Self.maxValueBytes
            guard value.utf8.count <= cap else {
                throw ConsoleError(.badParameter, subject: "parameter \(key)", message: "longer than \(cap) bytes")
            }
            guard isName || !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw ConsoleError(.badParameter, subject: "parameter \(key)", message: "holds control characters")
            }
            guard values[key] == nil else {
                throw ConsoleError(.badParameter, subject: "parameter \(key)", message: "given more than once")
            }
            if !value.isEmpty { values[key] = value }
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    /// A required parameter.
    func required(_ key: String) throws(ConsoleError) -> String {
        guard let v = values[key] else { throw ConsoleError(.badParameter, subject: "parameter \(key)", message: "is required") }
        return v
    }

    /// `since`, `until`, `account`, `region` and `limit` (default and cap given) as a store scope.
    func scope(now: EventTime, defaultLimit: Int, maxLimit: Int) throws(ConsoleError) -> QueryScope {
        var scope = QueryScope(account: values["account"], region: values["region"], limit: defaultLimit)
        scope.since = try time("since", now: now)
        scope.until = try time("until", now: now)
        if let text = values["limit"] {
            guard let n = Int(text), n >= 1, n <= maxLimit else {
                throw ConsoleError(.badParameter, subject: "parameter limit", message: "\"\(text.prefix(40))\" is not a number from 1 to \(maxLimit)")
            }
            scope.limit = n
        }
        return scope
    }

    func time(_ key: String, now: EventTime) throws(ConsoleError) -> EventTime? {
        guard let text = values[key] else { return nil }
        guard let t = TimeArgument.parse(text, now: now) else {
            throw ConsoleError(.badParameter, subject: "parameter \(key)",
                               message: "\"\(text.prefix(60))\" is not a time: use ISO 8601 (2024-05-01, 2024-05-01T12:00:00Z) or a duration before now (7d, 12h)")
        }
        return t
    }

    func severity() throws(ConsoleError) -> Severity? {
        guard let text = values["severity"] else { return nil }
        guard let s = Severity(rawValue: text) else {
            throw ConsoleError(.badParameter, subject: "parameter severity", message: "\"\(text.prefix(40))\" is not one of info, low, medium, high, critical")
        }
        return s
    }

    /// The 1-based page number (1 when absent).
    func page() throws(ConsoleError) -> Int {
        guard let text = values["page"] else { return 1 }
        guard let n = Int(text), n >= 1, n <= Self.maxPage else {
            throw ConsoleError(.badParameter, subject: "parameter page", message: "\"\(text.prefix(40))\" is not a number from 1 to \(Self.maxPage)")
        }
        return n
    }

    /// The parameters as given, minus `drop`, for links that keep the current filters.
    func keeping(dropping drop: Set<String> = []) -> [(String, String)] {
        values.filter { !drop.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
