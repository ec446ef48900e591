import TrailJSON
/// A rule that cannot be loaded: names the file, the rule and the JSON path of the bad value.
///
/// Printed as `Rules/x.json: rule "n": detector.window: "PT5X" is not an ISO 8601 duration`.
public struct RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the rule came from (as given to the loader), or nil for rules built in code.
    public var file: String?
    /// The rule's name, when it is known (it may itself be what is wrong).
    public var rule: String?
    /// JSON path of the offending value inside the rule object (`detector.key[1]`), or "" for the whole rule/file.
    public var path: String
    /// What is wrong, in words.
    public var message: String

    public init(file: String?, rule: String?, path: String, message: String) {
        self.file = file
        self.rule = rule
        self.path = path
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let rule { parts.append("rule \(JSONWriter.quoted(rule))") }
        if !path.isEmpty { parts.append(path) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
