import TrailJSON
import TrailModel

/// Validates one pattern and turns it into a disjunction of conjunctions ("sub-rules"): each is a
/// map from dotted field path to the condition on that field. `$or` multiplies out.
struct PatternCompiler {
    typealias Conjunction = [[UInt8]: ConditionSpec]

    /// Upper bound on sub-rules per pattern, so nested `$or` cannot explode.
    static let maxSubRules = 4096

    static let operatorNames: Set<String> = [
        "prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr", "exactly",
    ]

    struct Failure: Error {
        var path: String
        var message: String
    }

    static func compile(_ pattern: JSONValue) throws(Failure) -> [Conjunction] {
        guard pattern.kind == .object else {
            throw Failure(path: "", message: "a pattern must be a JSON object")
        }
        return try compileObject(pattern, prefix: [], jsonPath: "", inOrBranch: false)
    }

    private static func join(_ base: String, _ key: String) -> String {
        base.isEmpty ? key : base + "." + key
    }

    private static func compileObject(_ obj: JSONValue, prefix: [UInt8], jsonPath: String, inOrBranch: Bool) throws(Failure) -> [Conjunction] {
        guard obj.count > 0 else {
            throw Failure(path: jsonPath, message: "empty objects are not allowed")
        }
        var result: [Conjunction] = [[:]]
        for (k, v) in obj.members {
            let keyBytes = k.decodedStringBytes
            let key = String(decoding: keyBytes, as: UTF8.self)
            let path = join(jsonPath, key)
            if inOrBranch, operatorNames.contains(key) {
                throw Failure(path: path, message: "\"\(key)\" is an operator, not a field name; an \"$or\" branch must be a pattern object")
            }
            let fieldPath = prefix.isEmpty ? keyBytes : prefix + [UInt8(ascii: ".")] + keyBytes
            if key == "$or", v.kind == .array {
                guard v.count >= 2 else {
                    throw Failure(path: path, message: "\"$or\" needs an array of at least two pattern objects")
                }
                var alternatives: [Conjunction] = []
                for (i, branch) in v.elements.enumerated() {
                    guard branch.kind == .object else {
                        throw Failure(path: "\(path)[\(i)]", message: "each \"$or\" branch must be a pattern object")
                    }
                    alternatives += try compileObject(branch, prefix: prefix, jsonPath: "\(path)[\(i)]", inOrBranch: true)
                }
                result = try cross(result, alternatives, path: path)
                continue
            }
            switch v.kind {
            case .object:
                let sub = try compileObject(v, prefix: fieldPath, jsonPath: path, inOrBranch: false)
                result = try cross(result, sub, path: path)
            case .array:
                let condition = try compileValueList(v, jsonPath: path)
                for i in result.indices { result[i][fieldPath] = condition }
            default:
                throw Failure(path: path, message: "\"\(key)\" must be an object or an array")
            }
        }
        return result
    }

    private static func cross(_ a: [Conjunction], _ b: [Conjunction], path: String) throws(Failure) -> [Conjunction] {
        if b.count == 1, let only = b.first {
            return a.map { $0.merging(only) { _, new in new } }
        }
        guard a.count * b.count <= maxSubRules else {
            throw Failure(path: path, message: "\"$or\" expands to more than \(maxSubRules) combinations")
        }
        var out: [Conjunction] = []
        out.reserveCapacity(a.count * b.count)
        for x in a { for y in b { out.append(x.merging(y) { _, new in new }) } }
        return out
    }

    private static func compileValueList(_ list: JSONValue, jsonPath: String) throws(Failure) -> ConditionSpec {
        guard list.count > 0 else {
            throw Failure(path: jsonPath, message: "empty arrays are not allowed")
        }
        var condition = ConditionSpec()
        for (i, element) in list.elements.enumerated() {
            let path = "\(jsonPath)[\(i)]"
            switch element.kind {
            case .string:
                condition.matchers.append(.exactString(element.decodedStringBytes))
            case .number:
                condition.matchers.append(numberMatcher(element))
            case .true: condition.matchers.append(.literalTrue)
            case .false: condition.matchers.append(.literalFalse)
            case .null: condition.matchers.append(.literalNull)
            case .array:
                throw Failure(path: path, message: "a value must be a string, number, true, false, null or an operator object")
            case .object:
                if let m = try compileOperator(element, jsonPath: path) {
                    condition.matchers.append(m)
                } else {
                    condition.allowsAbsent = true
                }
            }
        }
        return condition
    }

    static func numberMatcher(_ v: JSONValue) -> MatcherSpec {
        let text = Array(v.rawBytes)
        if let d = NumberText.value(text) { return .exactNumber(d) }
        return .exactNumberText(text)
    }

    /// A round-tripping operand, or an error naming the operator.
    private static func operand(_ v: JSONValue, path: String, what: String) throws(Failure) -> Double {
        guard v.kind == .number else { throw Failure(path: path, message: "\(what) must be a number") }
        guard let d = NumberText.value(Array(v.rawBytes)) else {
            throw Failure(path: path, message: "\(what) \(v.rawText) cannot be compared exactly (it is out of range or not exactly representable as a double)")
        }
        return d
    }

    /// The single (operator, operand) of an operator object.
    private static func single(_ obj: JSONValue, jsonPath: String, context: String) throws(Failure) -> (String, JSONValue) {
        guard obj.count > 0 else { throw Failure(path: jsonPath, message: "\(context) object needs an operator") }
        guard obj.count == 1 else { throw Failure(path: jsonPath, message: "\(context) object must have exactly one key") }
        for (k, v) in obj.members { return (String(decoding: k.decodedStringBytes, as: UTF8.self), v) }
        throw Failure(path: jsonPath, message: "\(context) object needs an operator")
    }

    /// Returns nil for `{"exists": false}`.
    private static func compileOperator(_ obj: JSONValue, jsonPath: String) throws(Failure) -> MatcherSpec? {
        let (op, v) = try single(obj, jsonPath: jsonPath, context: "an operator")
        let path = jsonPath
        let opPath = join(jsonPath, op)
        switch op {
        case "exactly":
            guard v.kind == .string else { throw Failure(path: path, message: "\"exactly\" needs a string") }
            return .exactString(v.decodedStringBytes)
        case "prefix", "suffix":
            let folded: Bool
            let text: [UInt8]
            if v.kind == .string {
                folded = false
                text = v.decodedStringBytes
            } else if v.kind == .object {
                let (inner, iv) = try single(v, jsonPath: path, context: "a \"\(op)\"")
                guard inner == "equals-ignore-case" else {
                    throw Failure(path: path, message: "\"\(op)\" supports only \"equals-ignore-case\" inside, not \"\(inner)\"")
                }
                guard iv.kind == .string else { throw Failure(path: path, message: "\"\(op)\" with \"equals-ignore-case\" needs a string") }
                folded = true
                text = iv.decodedStringBytes
            } else {
                throw Failure(path: path, message: "\"\(op)\" needs a string or {\"equals-ignore-case\": string}")
            }
            if op == "prefix" { return folded ? .prefixFolded(CaseInsensitive(text)) : .prefix(text) }
            return folded ? .suffixFolded(CaseInsensitive(text)) : .suffix(text)
        case "equals-ignore-case":
            guard v.kind == .string else { throw Failure(path: path, message: "\"equals-ignore-case\" needs a string") }
            return .equalsFolded(CaseInsensitive(v.decodedStringBytes))
        case "wildcard":
            guard v.kind == .string else { throw Failure(path: path, message: "\"wildcard\" needs a string") }
            switch WildcardPattern.parse(v.decodedStringBytes) {
            case .success(let w): return .wildcard(w)
            case .failure(let m): throw Failure(path: path, message: m.text)
            }
        case "exists":
            switch v.kind {
            case .true: return .existsTrue
            case .false: return nil
            default: throw Failure(path: path, message: "\"exists\" needs true or false")
            }
        case "cidr":
            guard v.kind == .string else { throw Failure(path: path, message: "\"cidr\" needs a string such as \"10.0.0.0/8\"") }
            switch CIDRRange.parse(v.decodedStringBytes) {
            case .success(let r): return .cidr(r)
            case .failure(let error): throw Failure(path: path, message: error.description)
            }
        case "numeric":
            return .numeric(try compileNumeric(v, path: path, itemBase: opPath))
        case "anything-but":
            return .anythingBut(try compileAnythingBut(v, path: path, itemBase: opPath))
        default:
            throw Failure(path: path, message: "unknown operator \"\(op)\"")
        }
    }

    private static func compileNumeric(_ v: JSONValue, path: String, itemBase: String) throws(Failure) -> NumericRange {
        guard v.kind == .array else { throw Failure(path: path, message: "\"numeric\" needs an array such as [\">\", 0, \"<=\", 5]") }
        let items = Array(v.elements)
        guard !items.isEmpty else { throw Failure(path: path, message: "\"numeric\" needs at least one comparison") }
        func opName(_ i: Int) throws(Failure) -> String {
            guard items[i].kind == .string, let s = items[i].string else {
                throw Failure(path: "\(itemBase)[\(i)]", message: "expected a comparison operator (=, <, <=, >, >=)")
            }
            guard ["=", "<", "<=", ">", ">="].contains(s) else {
                throw Failure(path: "\(itemBase)[\(i)]", message: "unknown numeric operator \"\(s)\" (use =, <, <=, >, >=)")
            }
            return s
        }
        func value(_ i: Int, _ op: String) throws(Failure) -> Double {
            guard i < items.count else { throw Failure(path: path, message: "\"\(op)\" needs a number after it") }
            return try operand(items[i], path: "\(itemBase)[\(i)]", what: "the operand of \"\(op)\"")
        }
        var range = NumericRange()
        let first = try opName(0)
        let a = try value(1, first)
        switch first {
        case "=":
            range.lower = a; range.lowerInclusive = true
            range.upper = a; range.upperInclusive = true
            guard items.count == 2 else { throw Failure(path: "\(itemBase)[2]", message: "\"=\" takes exactly one number") }
            return range
        case "<", "<=":
            range.upper = a; range.upperInclusive = first == "<="
            guard items.count == 2 else { throw Failure(path: "\(itemBase)[2]", message: "an upper bound must come last (write the lower bound first)") }
            return range
        default:
            range.lower = a; range.lowerInclusive = first == ">="
        }
        if items.count == 2 { return range }
        let second = try opName(2)
        guard second == "<" || second == "<=" else {
            throw Failure(path: "\(itemBase)[2]", message: "after a lower bound only \"<\" or \"<=\" may follow, not \"\(second)\"")
        }
        let b = try value(3, second)
        guard items.count == 4 else { throw Failure(path: "\(itemBase)[4]", message: "a numeric range has at most two comparisons") }
        guard a < b else { throw Failure(path: path, message: "the lower bound must be less than the upper bound") }
        range.upper = b; range.upperInclusive = second == "<="
        return range
    }

    private static func compileAnythingBut(_ v: JSONValue, path: String, itemBase: String) throws(Failure) -> AnythingBut {
        let needs = "\"anything-but\" needs a string, a number or a non-empty list"
        switch v.kind {
        case .string: return .strings([v.decodedStringBytes])
        case .number: return .numbers([try operand(v, path: path, what: "an \"anything-but\" number")])
        case .array:
            guard v.count > 0 else { throw Failure(path: path, message: needs) }
            let items = Array(v.elements)
            if items.allSatisfy({ $0.kind == .string }) { return .strings(Set(items.map(\.decodedStringBytes))) }
            if items.allSatisfy({ $0.kind == .number }) {
                var set = Set<Double>()
                for (i, item) in items.enumerated() { set.insert(try operand(item, path: "\(itemBase)[\(i)]", what: "an \"anything-but\" number")) }
                return .numbers(set)
            }
            for (i, item) in items.enumerated() where item.kind != .string && item.kind != .number {
                throw Failure(path: "\(itemBase)[\(i)]", message: "an \"anything-but\" list may hold only strings or only numbers")
            }
            throw Failure(path: path, message: "an \"anything-but\" list must be all strings or all numbers, not mixed")
        case .object:
            let (op, inner) = try single(v, jsonPath: path, context: "an \"anything-but\"")
            let ipath = join(itemBase, op)
            switch op {
            case "prefix", "suffix":
                let list = try stringList(inner, path: ipath, op: op, allowEmptyString: false)
                return op == "prefix" ? .prefixes(list) : .suffixes(list)
            case "equals-ignore-case":
                let list = try stringList(inner, path: ipath, op: op, allowEmptyString: true)
                return .folded(list.map(CaseInsensitive.init))
            case "wildcard":
                let list = try stringList(inner, path: ipath, op: op, allowEmptyString: true)
                var ws: [WildcardPattern] = []
                for text in list {
                    switch WildcardPattern.parse(text) {
                    case .success(let w): ws.append(w)
                    case .failure(let m): throw Failure(path: ipath, message: m.text)
                    }
                }
                return .wildcards(ws)
            default:
                throw Failure(path: ipath, message: "\"anything-but\" supports \"prefix\", \"suffix\", \"equals-ignore-case\" and \"wildcard\", not \"\(op)\"")
            }
        default:
            throw Failure(path: path, message: needs)
        }
    }

    private static func stringList(_ v: JSONValue, path: String, op: String, allowEmptyString: Bool) throws(Failure) -> [[UInt8]] {
        let items: [JSONValue]
        if v.kind == .string {
            items = [v]
        } else if v.kind == .array {
            guard v.count > 0 else { throw Failure(path: path, message: "\"anything-but\" \"\(op)\" needs a string or a non-empty list of strings") }
            items = Array(v.elements)
        } else {
            throw Failure(path: path, message: "\"anything-but\" \"\(op)\" needs a string or a list of strings")
        }
        var out: [[UInt8]] = []
        for (i, item) in items.enumerated() {
            let ipath = v.kind == .array ? "\(path)[\(i)]" : path
            guard item.kind == .string else { throw Failure(path: ipath, message: "\"anything-but\" \"\(op)\" needs strings") }
            let bytes = item.decodedStringBytes
            if !allowEmptyString, bytes.isEmpty {
                throw Failure(path: ipath, message: "\"anything-but\" \"\(op)\" must not be empty")
            }
            out.append(bytes)
        }
        return out
    }
}
