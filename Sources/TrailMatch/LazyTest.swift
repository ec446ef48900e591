import TrailJSON
import TrailModel

/// Tests one broad matcher (`anything-but`, `wildcard`, `numeric`, `cidr`, `exists: true`) on one
/// leaf. Such matchers are not indexed unless some sub-rule is anchored on them; they are tested
/// only when a candidate sub-rule needs them, so rules that use them cost nothing on events whose
/// anchors do not fire.
enum LazyTest {
    /// Whether a matcher of this kind may be left to verification.
    static func isDeferrable(_ spec: MatcherSpec) -> Bool {
        switch spec {
        case .anythingBut, .wildcard, .numeric, .cidr, .existsTrue: true
        default: false
        }
    }

    static func test(_ spec: MatcherSpec, _ document: JSONDocument, _ index: Int) -> Bool {
        document.withCursor { json in test(spec, json, index) }
    }

    private static func test(_ spec: MatcherSpec, _ json: JSONCursor, _ index: Int) -> Bool {
        switch json.kind(index) {
        case .string:
            return json.withStringBytes(index) { b in
                let empty: UInt8 = 0
                return withUnsafePointer(to: empty) { e in testString(spec, b.baseAddress ?? e, b.count) }
            }
        case .number:
            let text = json.sourceBytes(index)
            guard let base = text.baseAddress else { return false }
            return testNumber(spec, base, text.count)
        case .true, .false, .null:
            switch spec {
            case .anythingBut, .existsTrue: return true
            default: return false
            }
        case .object, .array:
            return false
        }
    }

    private static func testString(_ spec: MatcherSpec, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        switch spec {
        case .wildcard(let w): return w.matches(p, n)
        case .cidr(let r):
            guard let ip = IPAddress.parse(p, n, allowLeadingZeros: false) else { return false }
            return r.contains(ip)
        case .existsTrue: return true
        case .anythingBut(let ab):
            switch ab {
            case .strings(let set): return !set.contains(Array(UnsafeBufferPointer(start: p, count: n)))
            case .numbers: return true
            case .prefixes(let list): return !list.contains { $0.count <= n && WildcardPattern.equal($0, p) }
            case .suffixes(let list): return !list.contains { $0.count <= n && WildcardPattern.equal($0, p + (n - $0.count)) }
            case .folded(let list): return !list.contains { $0.matchesWhole(p, n) }
            case .wildcards(let list): return !list.contains { $0.matches(p, n) }
            }
        default: return false
        }
    }

    private static func testNumber(_ spec: MatcherSpec, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        switch spec {
        case .existsTrue: return true
        case .numeric(let r):
            guard let v = NumberText.value(p, n) else { return false }
            return r.contains(v)
        case .anythingBut(let ab):
            if case .numbers(let set) = ab {
                guard let v = NumberText.value(p, n) else { return true }
                return !set.contains(v)
            }
            return true
        default: return false
        }
    }
}
