import TrailStore

/// The event ids a committer has seen in this run, and those it staged or handed to the writer
/// and not yet confirmed written, for its duplicate checks.
///
/// Almost every id is new: a Bloom filter of every id examined answers those with four bit
/// probes, and only an id it may have seen (a duplicate, or one false positive in thousands) is
/// checked exactly, against sets built the first time they are needed.
struct StagedEventIDs {
    private var examined = EventIDFilter()
    private var group: [String] = []
    private var groupSet: Set<String>?
    private var writing: [String] = []
    private var writingSet: Set<String>?

    /// Notes an id examined (whether or not it is then staged); returns false when it was
    /// certainly never examined before in this run.
    mutating func noteExamined(_ id: String) -> Bool { examined.insert(id) }

    /// Adds an id to the group being staged.
    mutating func stage(_ id: String) {
        group.append(id)
        groupSet?.insert(id)
    }

    /// Whether `id` is in the group being staged or the group being written.
    mutating func isInFlight(_ id: String) -> Bool {
        if groupSet == nil { groupSet = Set(group) }
        if writingSet == nil { writingSet = Set(writing) }
        return groupSet?.contains(id) == true || writingSet?.contains(id) == true
    }

    /// The staged group went to the writer.
    mutating func groupTaken() {
        writing = group
        writingSet = groupSet
        group = []
        groupSet = nil
    }

    /// The writer confirmed the group written (or the run stops).
    mutating func groupWritten() {
        writing = []
        writingSet = nil
    }
}
