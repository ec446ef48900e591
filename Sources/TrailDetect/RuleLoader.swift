import TrailJSON
import TrailModel

/// Reads rule files: one rule object, an array of rule objects, or a bare EventBridge pattern
/// (named after the file).
///
/// Every problem is a ``RuleError`` naming the file, the rule and the JSON path, found at load
/// time: unknown fields, unknown detector types, malformed durations, severities or field names.
/// The pattern itself is passed through unvalidated; the pattern engine checks it.
public enum RuleLoader {
    static let ruleKeys: Set<String> = ["name", "title", "severity", "description", "pattern", "detector", "suppress"]

    /// Parses the rules in `bytes`; `file` is used for error messages, `RuleDefinition.file` and
    /// the name of a bare pattern.
    public static func load(bytes: [UInt8], file: String) throws(RuleError) -> [RuleDefinition] {
        let document: JSONDocument
        do {
            document = try JSONDocument(bytes: bytes)
        } catch {
            throw RuleError(file: file, rule: nil, path: "", message: error.description)
        }
        let root = document.root
        switch root.kind {
        case .array:
            var rules: [RuleDefinition] = []
            for (i, element) in root.elements.enumerated() {
                guard element.kind == .object else {
                    throw RuleError(file: file, rule: nil, path: "[\(i)]", message: "expected a rule object")
                }
                rules.append(try parseRule(element, file: file, position: "[\(i)]"))
            }
            return rules
        case .object:
            if isRuleObject(root) { return [try parseRule(root, file: file, position: nil)] }
            let name = baseName(file)
            try checkName(name, file: file, rule: name, path: "")
            return [RuleDefinition(name: name, title: name, severity: .medium, description: "", file: file, pattern: root)]
        default:
            throw RuleError(file: file, rule: nil, path: "", message: "expected a rule object, an array of rules or an EventBridge pattern")
        }
    }

    /// Loads several files and checks that rule names are unique across them.
    public static func load(files: [(file: String, bytes: [UInt8])]) throws(RuleError) -> [RuleDefinition] {
        var all: [RuleDefinition] = []
        var seen: [String: String] = [:]
        for (file, bytes) in files {
            for rule in try load(bytes: bytes, file: file) {
                if let other = seen[rule.name] {
                    throw RuleError(file: file, rule: rule.name, path: "name", message: "duplicate rule name (also in \(other))")
                }
                seen[rule.name] = file
                all.append(rule)
            }
        }
        return all
    }

    /// The shipped rules, parsed.
    public static func loadShipped() throws(RuleError) -> [RuleDefinition] {
        try load(files: shipped.map { ($0.file, Array($0.json.utf8)) })
    }

    /// A rule object has `pattern`, or any rule key at all (then a missing pattern is an error).
    static func isRuleObject(_ v: JSONValue) -> Bool {
        for (k, _) in v.members {
            if let key = k.string, ruleKeys.contains(key) { return true }
        }
        return false
    }

    static func baseName(_ file: String) -> String {
        var name = file
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if name.hasSuffix(".json") { name.removeLast(5) }
        return name
    }

    static func checkName(_ name: String, file: String, rule: String?, path: String) throws(RuleError) {
        let ok = !name.isEmpty && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || $0 == "-" || $0 == "_" || $0 == "."
        }
        if !ok {
            throw RuleError(file: file, rule: rule, path: path, message: "\(JSONWriter.quoted(name)) is not a valid rule name (letters, digits, '-', '_', '.')")
        }
    }

    static func parseRule(_ obj: JSONValue, file: String, position: String?) throws(RuleError) -> RuleDefinition {
        let prefix = position.map { $0 + "." } ?? ""
        var ruleName: String? = nil
        if let n = obj["name"], let s = n.string { ruleName = s }
        var ctx = Context(file: file, rule: ruleName, prefix: prefix)

        try ctx.onlyKeys(obj, ruleKeys, at: "")
        guard let nameValue = obj["name"] else { throw ctx.error("name", "missing (every rule needs a name)") }
        let name = try ctx.string(nameValue, at: "name")
        try checkName(name, file: file, rule: name, path: prefix + "name")
        ctx.rule = name

        guard let pattern = obj["pattern"] else { throw ctx.error("pattern", "missing (every rule needs an EventBridge pattern)") }
        guard pattern.kind == .object else { throw ctx.error("pattern", "expected an object (an EventBridge pattern)") }

        let title = try obj["title"].map { v throws(RuleError) in try ctx.string(v, at: "title") } ?? name
        let description = try obj["description"].map { v throws(RuleError) in try ctx.string(v, at: "description") } ?? ""
        let severity = try obj["severity"].map { v throws(RuleError) in try ctx.severity(v, at: "severity") } ?? .medium
        let detector = try obj["detector"].map { v throws(RuleError) in try parseDetector(v, ctx) }
        let suppress = try obj["suppress"].map { v throws(RuleError) in try parseSuppress(v, ctx) }
        return RuleDefinition(
            name: name, title: title, severity: severity, description: description, file: file,
            pattern: pattern, detector: detector, suppress: suppress)
    }

    static func parseDetector(_ v: JSONValue, _ ctx: Context) throws(RuleError) -> DetectorConfig {
        guard v.kind == .object else { throw ctx.error("detector", "expected an object") }
        guard let typeValue = v["type"] else { throw ctx.error("detector.type", "missing") }
        let type = try ctx.string(typeValue, at: "detector.type")
        switch type {
        case "first-seen":
            try ctx.onlyKeys(v, ["type", "key", "value", "learning", "forget"], at: "detector")
            guard let key = v["key"] else { throw ctx.error("detector.key", "missing") }
            guard let value = v["value"] else { throw ctx.error("detector.value", "missing") }
            var config = FirstSeenConfig(
                key: try ctx.fields(key, at: "detector.key", allowEmpty: false),
                value: try ctx.field(value, at: "detector.value"))
            if let l = v["learning"] { config.learning = try ctx.duration(l, at: "detector.learning") }
            if let f = v["forget"] { config.forget = try ctx.duration(f, at: "detector.forget") }
            return .firstSeen(config)
        case "threshold":
            try ctx.onlyKeys(v, ["type", "group", "distinct", "count", "window"], at: "detector")
            let group = try v["group"].map { g throws(RuleError) in try ctx.fields(g, at: "detector.group", allowEmpty: true) } ?? []
            let distinct = try v["distinct"].map { d throws(RuleError) in try ctx.field(d, at: "detector.distinct") }
            guard let countValue = v["count"] else { throw ctx.error("detector.count", "missing") }
            guard let count = countValue.int64, count >= 1, count <= 1_000_000 else {
                throw ctx.error("detector.count", "\(countValue.rawText) is not a whole number from 1 to 1000000")
            }
            guard let windowValue = v["window"] else { throw ctx.error("detector.window", "missing") }
            let window = try ctx.duration(windowValue, at: "detector.window")
            return .threshold(ThresholdConfig(group: group, distinct: distinct, count: Int(count), window: window))
        case "secret-deletion":
            try ctx.onlyKeys(v, ["type", "denied", "escalate", "minimumWindowDays"], at: "detector")
            var config = SecretDeletionConfig()
            if let d = v["denied"] { config.denied = try ctx.severity(d, at: "detector.denied") }
            if let e = v["escalate"] { config.escalate = try ctx.severity(e, at: "detector.escalate") }
            if let m = v["minimumWindowDays"] {
                guard let days = m.int64, days >= 0, days <= 3650 else {
                    throw ctx.error("detector.minimumWindowDays", "\(m.rawText) is not a whole number of days")
                }
                config.minimumWindowDays = Int(days)
            }
            return .secretDeletion(config)
        case "resource-policy":
            try ctx.onlyKeys(v, ["type", "escalate"], at: "detector")
            var config = ResourcePolicyConfig()
            if let e = v["escalate"] { config.escalate = try ctx.severity(e, at: "detector.escalate") }
            return .resourcePolicy(config)
        case "kms-key":
            try ctx.onlyKeys(v, ["type", "escalate"], at: "detector")
            var config = KMSKeyConfig()
            if let e = v["escalate"] { config.escalate = try ctx.severity(e, at: "detector.escalate") }
            return .kmsKey(config)
        case "batch-catch-all":
            try ctx.onlyKeys(v, ["type"], at: "detector")
            return .batchCatchAll
        case "trail-change":
            try ctx.onlyKeys(v, ["type", "denied"], at: "detector")
            var config = TrailChangeConfig()
            if let d = v["denied"] { config.denied = try ctx.severity(d, at: "detector.denied") }
            return .trailChange(config)
        case "pending-deletion-read":
            try ctx.onlyKeys(v, ["type"], at: "detector")
            return .pendingDeletionRead
        default:
            throw ctx.error("detector.type", "unknown detector type \(JSONWriter.quoted(type)) (known: first-seen, threshold, secret-deletion, resource-policy, kms-key, batch-catch-all, trail-change, pending-deletion-read)")
        }
    }

    static func parseSuppress(_ v: JSONValue, _ ctx: Context) throws(RuleError) -> SuppressConfig {
        guard v.kind == .object else { throw ctx.error("suppress", "expected an object") }
        try ctx.onlyKeys(v, ["by", "for"], at: "suppress")
        let by = try v["by"].map { b throws(RuleError) in try ctx.fields(b, at: "suppress.by", allowEmpty: true) } ?? []
        guard let f = v["for"] else { throw ctx.error("suppress.for", "missing") }
        return SuppressConfig(by: by, for: try ctx.duration(f, at: "suppress.for"))
    }

    /// Where in which file and rule the parser is, for errors.
    struct Context {
        var file: String
        var rule: String?
        var prefix: String

        func error(_ path: String, _ message: String) -> RuleError {
            RuleError(file: file, rule: rule, path: prefix + path, message: message)
        }

        func onlyKeys(_ obj: JSONValue, _ allowed: Set<String>, at path: String) throws(RuleError) {
            for (k, _) in obj.members {
                let key = k.string ?? ""
                if !allowed.contains(key) {
                    let at = path.isEmpty ? key : path + "." + key
                    throw error(at, "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
                }
            }
        }

        func string(_ v: JSONValue, at path: String) throws(RuleError) -> String {
            guard let s = v.string else { throw error(path, "expected a string, found \(v.rawText)") }
            return s
        }

        func severity(_ v: JSONValue, at path: String) throws(RuleError) -> Severity {
            let s = try string(v, at: path)
            guard let sev = Severity(rawValue: s) else {
                throw error(path, "\(JSONWriter.quoted(s)) is not a severity (info, low, medium, high, critical)")
            }
            return sev
        }

        func duration(_ v: JSONValue, at path: String) throws(RuleError) -> EventTime.Duration {
            let s = try string(v, at: path)
            guard let d = ISODuration.parse(s) else {
                throw error(path, "\(JSONWriter.quoted(s)) is not an ISO 8601 duration (such as PT5M, PT1H, P7D)")
            }
            guard d.milliseconds > 0 else {
                throw error(path, "\(JSONWriter.quoted(s)) comes to 0 ms (durations are kept in whole milliseconds); it must be at least 1 ms")
            }
            return d
        }

        func field(_ v: JSONValue, at path: String) throws(RuleError) -> EventField {
            let s = try string(v, at: path)
            guard let f = EventField(rawValue: s) else {
                throw error(path, "unknown field \(JSONWriter.quoted(s)) (known: \(EventField.accepted))")
            }
            return f
        }

        /// An array of field names (a single string is accepted as a one-element array).
        func fields(_ v: JSONValue, at path: String, allowEmpty: Bool) throws(RuleError) -> [EventField] {
            if v.kind == .string { return [try field(v, at: path)] }
            guard v.kind == .array else { throw error(path, "expected an array of field names") }
            var out: [EventField] = []
            for (i, e) in v.elements.enumerated() {
                let f = try field(e, at: "\(path)[\(i)]")
                if out.contains(f) { throw error("\(path)[\(i)]", "field \(JSONWriter.quoted(f.rawValue)) listed twice") }
                out.append(f)
            }
            if out.isEmpty, !allowEmpty { throw error(path, "must name at least one field") }
            return out
        }
    }
}
