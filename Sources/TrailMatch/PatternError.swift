/// A pattern that is not valid in the event-pattern language.
///
/// Printed as `file: rule "name": json.path[1]: message`, leaving out the parts that are unknown.
public struct PatternError: Error, CustomStringConvertible, Sendable {
    /// The file the pattern came from, if any.
    public var file: String?
    /// The rule's name, if any.
    public var rule: String?
    /// Where in the pattern the problem is, e.g. `detail.eventName[1]` (empty for the whole pattern).
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(file: String? = nil, rule: String? = nil, path: String, message: String) {
        self.file = file
        self.rule = rule
        self.path = path
        self.message = message
    }

    public var description: String {
        var s = ""
        if let file { s += "\(file): " }
        if let rule, !rule.isEmpty { s += "rule \"\(rule)\": " }
        if !path.isEmpty { s += "\(path): " }
        return s + message
    }
}
