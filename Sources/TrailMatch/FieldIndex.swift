/// The value tests of one field path, indexed so that testing a value costs about the same however
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

    /// Tests a string value (its decoded UTF-8 bytes); calls `fire` with each matching test.
    @inline(__always)
    func evaluateString(_ p: UnsafePointer<UInt8>, _ n: Int, foldBuffer: inout [UInt8], fire: (Int32) -> Void) {
        if !exact.isEmpty { let id = exact.find(p, n); if id >= 0 { fire(id) } }
        for l in prefixLengths {
            if l > n { break }
            let id = prefixes.find(p, l)
            if id >= 0 { fire(id) }
        }
        for l in suffixLengths {
            if l > n { break }
            let id = suffixes.find(p + (n - l), l)
            if id >= 0 { fire(id) }
        }
        if needsFold {
            foldBuffer.removeAll(keepingCapacity: true)
            CaseFold.fold(p, n, into: &foldBuffer)
            foldBuffer.withUnsafeBufferPointer { fb in
                let fp = fb.baseAddress ?? p
                let fn = fb.count
                if !folded.isEmpty {
                    let g = folded.find(fp, fn)
                    if g >= 0 { for (c, id) in foldedGroups[Int(g)] where c.matchesWhole(p, n) { fire(id) } }
                }
                for l in foldedPrefixLengths {
                    if l > fn { break }
                    let g = foldedPrefixes.find(fp, l)
                    if g >= 0 { for (c, id) in foldedGroups[Int(g)] where c.matchesPrefix(p, n) { fire(id) } }
                }
                for l in foldedSuffixLengths {
                    if l > fn { break }
                    let g = foldedSuffixes.find(fp + (fn - l), l)
                    if g >= 0 { for (c, id) in foldedGroups[Int(g)] where c.matchesSuffix(p, n) { fire(id) } }
                }
            }
        }
        for (kind, c, id) in foldedLinear {
            let ok = kind == 0 ? c.matchesWhole(p, n) : kind == 1 ? c.matchesPrefix(p, n) : c.matchesSuffix(p, n)
            if ok { fire(id) }
        }
        for (w, id) in wildcards where w.matches(p, n) { fire(id) }
        if needsIP, let ip = IPAddress.parse(p, n, allowLeadingZeros: false) {
            for (a, id) in plainIPs where a == ip { fire(id) }
            for (r, id) in cidrs where r.contains(ip) { fire(id) }
        }
        for (ab, id) in anythingButs {
            let excluded: Bool
            switch ab {
            case .strings(let set):
                excluded = set.contains(Array(UnsafeBufferPointer(start: p, count: n)))
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
            if !excluded { fire(id) }
        }
        for id in exists { fire(id) }
    }

    /// Tests a number value given its raw JSON text.
    @inline(__always)
    func evaluateNumber(_ p: UnsafePointer<UInt8>, _ n: Int, fire: (Int32) -> Void) {
        if needsNumberValue {
            if let v = NumberText.value(p, n) {
                if !numbers.isEmpty, let id = numbers[v.bitPattern] { fire(id) }
                for (r, id) in numerics where r.contains(v) { fire(id) }
                for (ab, id) in anythingButs {
                    if case .numbers(let set) = ab, set.contains(v) { continue }
                    fire(id)
                }
            } else {
                if !numberTexts.isEmpty { let id = numberTexts.find(p, n); if id >= 0 { fire(id) } }
                for (_, id) in anythingButs { fire(id) }
            }
        } else {
            for (_, id) in anythingButs { fire(id) }
        }
        for id in exists { fire(id) }
    }

    /// Tests `true`, `false` or `null`.
    @inline(__always)
    func evaluateLiteral(_ literalID: Int32, fire: (Int32) -> Void) {
        if literalID >= 0 { fire(literalID) }
        for (_, id) in anythingButs { fire(id) }
        for id in exists { fire(id) }
    }
}
