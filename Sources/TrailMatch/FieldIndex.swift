import TrailModel
/// Collects the value tests of one field path while a rule set is compiled; frozen into a
/// ``FrozenField``. The tests are indexed so that testing a value costs about the same however
/// many rules use the field: exact values, prefixes, suffixes and case-folded forms are hash
/// lookups (one per distinct prefix or suffix length); the rarer operators are checked in turn.
struct FieldIndex: Sendable {
    var exact = ByteTable()
    var numbers: [UInt64: Int32] = [:]
    var numberTexts = ByteTable()
    var trueID: Int32 = -1
    var falseID: Int32 = -1
    var nullID: Int32 = -1
    var prefixes = ByteTable()
    var prefixLengths: [Int] = []
    var suffixes = ByteTable()
    var suffixLengths: [Int] = []
    /// Case-insensitive operands by ``CaseFold`` key → index into `foldedGroups`.
    var folded = ByteTable()
    var foldedPrefixes = ByteTable()
    var foldedPrefixLengths: [Int] = []
    var foldedSuffixes = ByteTable()
    var foldedSuffixLengths: [Int] = []
    var foldedGroups: [[(CaseInsensitive, Int32)]] = []
    /// Case-insensitive operands that cannot be indexed by key: 0 whole, 1 prefix, 2 suffix.
    var foldedLinear: [(UInt8, CaseInsensitive, Int32)] = []
    var wildcards: [(WildcardPattern, Int32)] = []
    var plainIPs: [(IPAddress, Int32)] = []
    var cidrs: [(CIDRRange, Int32)] = []
    var anythingButs: [(AnythingBut, Int32)] = []
    /// For `anything-but` string lists (same order as `anythingButs`): the excluded strings.
    var anythingButTables: [ByteTable] = []
    var numerics: [(NumericRange, Int32)] = []
    var exists: [Int32] = []

    private(set) var needsFold = false
    private(set) var needsIP = false
    private(set) var needsNumberValue = false

    mutating func add(_ spec: MatcherSpec, id: Int32) {
        switch spec {
        case .exactString(let b):
            exact.insert(b, value: id)
            if let ip = IPAddress.parse(b, allowLeadingZeros: true) { plainIPs.append((ip, id)); needsIP = true }
        case .exactNumber(let d):
            numbers[d.bitPattern] = id
            needsNumberValue = true
        case .exactNumberText(let b):
            numberTexts.insert(b, value: id)
            needsNumberValue = true
        case .literalTrue: trueID = id
        case .literalFalse: falseID = id
        case .literalNull: nullID = id
        case .prefix(let b): Self.addAffix(b, id, &prefixes, &prefixLengths)
        case .suffix(let b): Self.addAffix(b, id, &suffixes, &suffixLengths)
        case .equalsFolded(let c):
            if c.indexable { addGroup(c, id, kind: 0) } else { foldedLinear.append((0, c, id)) }
        case .prefixFolded(let c):
            if c.indexable { addGroup(c, id, kind: 1) } else { foldedLinear.append((1, c, id)) }
        case .suffixFolded(let c):
            if c.indexable { addGroup(c, id, kind: 2) } else { foldedLinear.append((2, c, id)) }
        case .wildcard(let w): wildcards.append((w, id))
        case .anythingBut(let ab):
            anythingButs.append((ab, id))
            var table = ByteTable()
            if case .strings(let set) = ab { for (i, b) in set.enumerated() { table.insert(b, value: Int32(i)) } }
            anythingButTables.append(table)
            switch ab {
            case .numbers: needsNumberValue = true
            default: break
            }
        case .numeric(let r): numerics.append((r, id)); needsNumberValue = true
        case .existsTrue: exists.append(id)
        case .cidr(let r): cidrs.append((r, id)); needsIP = true
        }
        switch spec {
        case .equalsFolded(let c), .prefixFolded(let c), .suffixFolded(let c): if c.indexable { needsFold = true }
        default: break
        }
    }

    /// Adds an indexable case-insensitive operand: kind 0 whole, 1 prefix, 2 suffix.
    private mutating func addGroup(_ c: CaseInsensitive, _ id: Int32, kind: Int) {
        var table = kind == 0 ? folded : kind == 1 ? foldedPrefixes : foldedSuffixes
        let existing = c.key.withUnsafeBufferPointer { table.find($0.baseAddress, $0.count) }
        if existing >= 0 {
            foldedGroups[Int(existing)].append((c, id))
            return
        }
        table.insert(c.key, value: Int32(foldedGroups.count))
        foldedGroups.append([(c, id)])
        switch kind {
        case 0: folded = table
        case 1:
            foldedPrefixes = table
            if !foldedPrefixLengths.contains(c.key.count) { foldedPrefixLengths.append(c.key.count); foldedPrefixLengths.sort() }
        default:
            foldedSuffixes = table
            if !foldedSuffixLengths.contains(c.key.count) { foldedSuffixLengths.append(c.key.count); foldedSuffixLengths.sort() }
        }
    }

    private static func addAffix(_ b: [UInt8], _ id: Int32, _ table: inout ByteTable, _ lengths: inout [Int]) {
        table.insert(b, value: id)
        if !lengths.contains(b.count) {
            lengths.append(b.count)
            lengths.sort()
        }
    }
}

/// A compiled field index as an immutable reference, so that matching reads it in place (no
/// copies, no exclusivity checks).
final class FrozenField: Sendable {
    let exact: ByteTable
    let numbers: [UInt64: Int32]
    let numberTexts: ByteTable
    let trueID: Int32
    let falseID: Int32
    let nullID: Int32
    let prefixes: ByteTable
    let prefixLengths: [Int]
    let suffixes: ByteTable
    let suffixLengths: [Int]
    let folded: ByteTable
    let foldedPrefixes: ByteTable
    let foldedPrefixLengths: [Int]
    let foldedSuffixes: ByteTable
    let foldedSuffixLengths: [Int]
    let foldedGroups: [[(CaseInsensitive, Int32)]]
    let foldedLinear: [(UInt8, CaseInsensitive, Int32)]
    let wildcards: [(WildcardPattern, Int32)]
    let plainIPs: [(IPAddress, Int32)]
    let cidrs: [(CIDRRange, Int32)]
    let anythingButs: [(AnythingBut, Int32)]
    let anythingButTables: [ByteTable]
    let numerics: [(NumericRange, Int32)]
    let exists: [Int32]
    let needsFold: Bool
    let needsIP: Bool
    let needsNumberValue: Bool
    /// The ids of `anythingButs`, for the loops that fire them all.
    let anythingButIDs: [Int32]

    init(_ index: FieldIndex) {
        self.anythingButIDs = index.anythingButs.map(\.1)
        self.exact = index.exact
        self.numbers = index.numbers
        self.numberTexts = index.numberTexts
        self.trueID = index.trueID
        self.falseID = index.falseID
        self.nullID = index.nullID
        self.prefixes = index.prefixes
        self.prefixLengths = index.prefixLengths
        self.suffixes = index.suffixes
        self.suffixLengths = index.suffixLengths
        self.folded = index.folded
        self.foldedPrefixes = index.foldedPrefixes
        self.foldedPrefixLengths = index.foldedPrefixLengths
        self.foldedSuffixes = index.foldedSuffixes
        self.foldedSuffixLengths = index.foldedSuffixLengths
        self.foldedGroups = index.foldedGroups
        self.foldedLinear = index.foldedLinear
        self.wildcards = index.wildcards
        self.plainIPs = index.plainIPs
        self.cidrs = index.cidrs
        self.anythingButs = index.anythingButs
        self.anythingButTables = index.anythingButTables
        self.numerics = index.numerics
        self.exists = index.exists
        self.needsFold = index.needsFold
        self.needsIP = index.needsIP
        self.needsNumberValue = index.needsNumberValue
    }

    /// Tests a string value (its decoded UTF-8 bytes); calls `fire` with each matching test.
    @inline(__always)
    func evaluateString(_ p: UnsafePointer<UInt8>, _ n: Int, out: inout MatchState, tag: UInt64) {
        if !exact.isEmpty { let id = exact.find(p, n); if id >= 0 { out.fire(id, tag) } }
        for l in prefixLengths {
            if l > n { break }
            let id = prefixes.find(p, l)
            if id >= 0 { out.fire(id, tag) }
        }
        for l in suffixLengths {
            if l > n { break }
            let id = suffixes.find(p + (n - l), l)
            if id >= 0 { out.fire(id, tag) }
        }
        if needsFold {
            out.foldBuffer.count = 0
            let limit = folded.isEmpty && foldedSuffixLengths.isEmpty ? (foldedPrefixLengths.last ?? 0) : Int.max
            CaseFold.fold(p, n, into: &out.foldBuffer, limit: limit)
            let fb = UnsafeBufferPointer(start: out.foldBuffer.base, count: out.foldBuffer.count)
            do {
                let fp = fb.baseAddress ?? p
                let fn = fb.count
                if !folded.isEmpty {
                    let g = folded.find(fp, fn)
                    if g >= 0 { Self.each(foldedGroups[Int(g)]) { c, id in if c.matchesWhole(p, n) { out.fire(id, tag) } } }
                }
                for l in foldedPrefixLengths {
                    if l > fn { break }
                    let g = foldedPrefixes.find(fp, l)
                    if g >= 0 { Self.each(foldedGroups[Int(g)]) { c, id in if c.matchesPrefix(p, n) { out.fire(id, tag) } } }
                }
                for l in foldedSuffixLengths {
                    if l > fn { break }
                    let g = foldedSuffixes.find(fp + (fn - l), l)
                    if g >= 0 { Self.each(foldedGroups[Int(g)]) { c, id in if c.matchesSuffix(p, n) { out.fire(id, tag) } } }
                }
            }
        }
        for (kind, c, id) in foldedLinear {
            let ok = kind == 0 ? c.matchesWhole(p, n) : kind == 1 ? c.matchesPrefix(p, n) : c.matchesSuffix(p, n)
            if ok { out.fire(id, tag) }
        }
        if !wildcards.isEmpty {
            wildcards.withUnsafeBufferPointer { ws in
                for k in ws.indices where ws[k].0.matches(p, n) { out.fire(ws[k].1, tag) }
            }
        }
        if needsIP, let ip = IPAddress.parse(p, n, allowLeadingZeros: false) {
            for (a, id) in plainIPs where a == ip { out.fire(id, tag) }
            for (r, id) in cidrs where r.contains(ip) { out.fire(id, tag) }
        }
        if !anythingButs.isEmpty { anythingButsOnString(p, n, &out, tag) }
        for id in exists { out.fire(id, tag) }
    }

    @inline(__always)
    private static func each(_ group: [(CaseInsensitive, Int32)], _ body: (borrowing CaseInsensitive, Int32) -> Void) {
        group.withUnsafeBufferPointer { g in
            for k in g.indices { body(g[k].0, g[k].1) }
        }
    }

    private func anythingButsOnString(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: inout MatchState, _ tag: UInt64) {
        anythingButs.withUnsafeBufferPointer { abs in
            for k in abs.indices {
                let id = abs[k].1
                let excluded: Bool
                switch abs[k].0 {
                case .strings:
                    excluded = anythingButTables[k].find(p, n) >= 0
                case .numbers:
                    excluded = false
                case .prefixes(let list):
                    excluded = list.contains { $0.count <= n && WildcardPattern.equal($0, p) }
                case .suffixes(let list):
                    excluded = list.contains { $0.count <= n && WildcardPattern.equal($0, p + (n - $0.count)) }
                case .folded(let list):
                    excluded = list.contains { $0.matchesWhole(p, n) }
                case .wildcards(let list):
                    excluded = list.contains { $0.matches(p, n) }
                }
                if !excluded { out.fire(id, tag) }
            }
        }
    }

    /// Tests a number value given its raw JSON text.
    @inline(__always)
    func evaluateNumber(_ p: UnsafePointer<UInt8>, _ n: Int, out: inout MatchState, tag: UInt64) {
        if needsNumberValue {
            if let v = NumberText.value(p, n) {
                if !numbers.isEmpty, let id = numbers[v.bitPattern] { out.fire(id, tag) }
                for (r, id) in numerics where r.contains(v) { out.fire(id, tag) }
                anythingButs.withUnsafeBufferPointer { abs in
                    for k in abs.indices {
                        if case .numbers(let set) = abs[k].0, set.contains(v) { continue }
                        out.fire(abs[k].1, tag)
                    }
                }
            } else {
                if !numberTexts.isEmpty { let id = numberTexts.find(p, n); if id >= 0 { out.fire(id, tag) } }
                for id in anythingButIDs { out.fire(id, tag) }
            }
        } else {
            for id in anythingButIDs { out.fire(id, tag) }
        }
        for id in exists { out.fire(id, tag) }
    }

    /// Tests `true`, `false` or `null`.
    @inline(__always)
    func evaluateLiteral(_ literalID: Int32, out: inout MatchState, tag: UInt64) {
        if literalID >= 0 { out.fire(literalID, tag) }
        for id in anythingButIDs { out.fire(id, tag) }
        for id in exists { out.fire(id, tag) }
    }
}
