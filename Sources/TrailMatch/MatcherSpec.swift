import TrailModel

/// One value test of a compiled pattern (one element of a field's value list).
enum MatcherSpec: Hashable, Sendable {
    case exactString([UInt8])
    /// A number that round-trips, by value (`-0` is `0`).
    case exactNumber(Double)
    /// A number that does not round-trip: matched by identical literal text only.
    case exactNumberText([UInt8])
    case literalTrue, literalFalse, literalNull
    case prefix([UInt8])
    case suffix([UInt8])
    case equalsFolded(CaseInsensitive)
    case prefixFolded(CaseInsensitive)
    case suffixFolded(CaseInsensitive)
    case wildcard(WildcardPattern)
    case anythingBut(AnythingBut)
    case numeric(NumericRange)
    case existsTrue
    case cidr(CIDRRange)

    /// Rough cost of using this test as a rule's anchor: how often it is expected to fire.
    var anchorCost: Int {
        switch self {
        case .exactString, .exactNumber, .exactNumberText, .equalsFolded: 1
        case .prefix(let b), .suffix(let b): b.count >= 6 ? 2 : 4
        case .prefixFolded(let c), .suffixFolded(let c): c.key.count >= 6 ? 2 : 4
        case .wildcard(let w): w.chunks.reduce(0) { $0 + $1.count } >= 6 ? 3 : 6
        case .cidr, .numeric: 5
        case .literalTrue, .literalFalse, .literalNull: 8
        case .anythingBut, .existsTrue: 20
        }
    }
}

/// The forms of `anything-but`.
enum AnythingBut: Hashable, Sendable {
    case strings(Set<[UInt8]>)
    case numbers(Set<Double>)
    case prefixes([[UInt8]])
    case suffixes([[UInt8]])
    case folded([CaseInsensitive])
    case wildcards([WildcardPattern])
}

/// A `numeric` test: optional lower and upper bounds.
struct NumericRange: Hashable, Sendable {
    var lower: Double?
    var lowerInclusive = false
    var upper: Double?
    var upperInclusive = false

    @inline(__always)
    func contains(_ v: Double) -> Bool {
        if let lower { if lowerInclusive ? v < lower : v <= lower { return false } }
        if let upper { if upperInclusive ? v > upper : v >= upper { return false } }
        return true
    }
}

/// The tests one field must pass in one rule: any of `matchers`, or (when `allowsAbsent`) no
/// leaf value at the field.
struct ConditionSpec: Sendable {
    var matchers: [MatcherSpec] = []
    var allowsAbsent = false
}
