extension Store {
    /// For a first load (`backfill`): when the store holds no event and no ledger row yet, or when
    /// an earlier first load stopped before building its indexes, drops the deferred secondary
    /// indexes so that the load appends rows without maintaining them. Call
    /// ``buildDeferredIndexes()`` when the load ends, however it ends; a run killed before that
    /// leaves a store without those indexes, which the next writer builds (``buildDeferredIndexes()``
    /// from `tail`, or at the end of the next `backfill`). Returns true when indexes are deferred.
    ///
    /// The drop is one transaction, as is the build: the deferred indexes are all there or all
    /// missing, a state any later writer can finish.
    @discardableResult
    public func deferIndexesForFirstLoad() throws(StoreError) -> Bool {
        try backend.deferIndexesForFirstLoad()
    }

    /// Creates every deferred index that is missing, in one transaction (a no-op when none is).
    /// Returns the names of the indexes built. `beforeBuilding` runs once it is certain that this
    /// call builds (the writes of this store wait for the build), before the first index.
    @discardableResult
    public func buildDeferredIndexes(beforeBuilding: () -> Void = {}) throws(StoreError) -> [String] {
        try backend.buildDeferredIndexes(beforeBuilding: beforeBuilding)
    }

    /// The deferred indexes that the store does not have now.
    public func missingDeferredIndexes() throws(StoreError) -> Set<String> {
        try backend.missingDeferredIndexes()
    }

    /// Call at the end of a load (`backfill`), after ``buildDeferredIndexes()``: PostgreSQL
    /// refreshes the planner's statistics when the load stored many events; SQLite does nothing.
    public func finishLoad() {
        backend.finishLoad()
    }
}
