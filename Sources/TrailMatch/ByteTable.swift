/// An immutable-after-build hash table from byte strings to `Int32` values, looked up straight
/// from a pointer and a length so that matching never builds a key object.
struct ByteTable: Sendable {
    private struct Slot: Sendable {
        var hash: UInt64 = 0
        var offset: UInt32 = 0
        var length: UInt32 = 0
        var value: Int32 = -1
    }

    private var arena: [UInt8] = []
    private var slots: [Slot] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Inserts `key` with `value` unless present; returns the stored value.
    @discardableResult
    mutating func insert(_ key: [UInt8], value: Int32) -> Int32 {
        let existing = key.withUnsafeBufferPointer { find($0.baseAddress, $0.count) }
        if existing >= 0 { return existing }
        if (count + 1) * 2 > slots.count { grow() }
        let h = key.withUnsafeBufferPointer { ByteHash.hash($0.baseAddress, $0.count) }
        let offset = UInt32(arena.count)
        arena.append(contentsOf: key)
        place(Slot(hash: h, offset: offset, length: UInt32(key.count), value: value))
        count += 1
        return value
    }

    private mutating func place(_ slot: Slot) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: slot.hash) & mask
        while slots[i].value >= 0 { i = (i + 1) & mask }
        slots[i] = slot
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(), count: max(8, old.count * 2))
        for s in old where s.value >= 0 { place(s) }
    }

    /// The value stored for the `n` bytes at `p`, or -1.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Int32 {
        if count == 0 { return -1 }
        let h = ByteHash.hash(p, n)
        return slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBufferPointer { ar in
                let mask = sl.count - 1
                var i = Int(truncatingIfNeeded: h) & mask
                while true {
                    let s = sl[i]
                    if s.value < 0 { return -1 }
                    if s.hash == h, Int(s.length) == n {
                        if n == 0 { return s.value }
                        if let p, let base = ar.baseAddress, bytesEqual(base + Int(s.offset), p, n) { return s.value }
                    }
                    i = (i + 1) & mask
                }
            }
        }
    }

    /// Every (key, value) pair, in no particular order.
    var entries: [([UInt8], Int32)] {
        slots.filter { $0.value >= 0 }.map { (Array(arena[Int($0.offset)..<Int($0.offset + $0.length)]), $0.value) }
    }
}

/// A fast hash for short byte strings.
enum ByteHash {
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>?, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        guard let p else { return h }
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
        }
        return h
    }
}

@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
