/// An exact set of event ids that keeps each id's hash (the process's seeded `Hasher`, as
/// `hashValue`): a lookup compares the bytes of two ids only when their whole hashes are equal,
/// and growing never hashes an id again. The caller hashes an id once for this table and the
/// ``EventIDFilter`` in front of it. (A `Set<String>` hashed each id again for every use and
/// compared the 36 bytes of every id on a probe's way: a twentieth of a first load's time.)
struct EventIDTable {
    private var ids: [String] = []
    private var hashes: [Int] = []
    /// Open addressing, linear probing, at most half full: an index into `ids`, or -1.
    private var slots: [Int32]
    private var mask: Int

    init(capacityLog2: Int = 16) {
        slots = Array(repeating: -1, count: 1 << capacityLog2)
        mask = (1 << capacityLog2) - 1
    }

    var count: Int { ids.count }

    /// Whether `id` (whose `hashValue` is `hash`) is in the table.
    func contains(_ id: String, hash: Int) -> Bool {
        var i = hash & mask
        while true {
            let index = Int(slots[i])
            if index < 0 { return false }
            if hashes[index] == hash && ids[index] == id { return true }
            i = (i + 1) & mask
        }
    }

    /// Adds `id` (whose `hashValue` is `hash`); returns false when it was there already.
    @discardableResult
    mutating func insert(_ id: String, hash: Int) -> Bool {
        if 2 * (ids.count + 1) > slots.count { grow() }
        var i = hash & mask
        while true {
            let index = Int(slots[i])
            if index < 0 { break }
            if hashes[index] == hash && ids[index] == id { return false }
            i = (i + 1) & mask
        }
        slots[i] = Int32(ids.count)
        ids.append(id)
        hashes.append(hash)
        return true
    }

    private mutating func grow() {
        let size = slots.count * 2
        mask = size - 1
        slots = Array(repeating: -1, count: size)
        for (index, hash) in hashes.enumerated() {
            var i = hash & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(index)
        }
    }
}
