extension ThresholdDetector {
    /// One step of a ``WindowScan``: the window (end - width, end] that ends at one event, as the
    /// range of its entries and the number of distinct values in it, up to the scan's threshold.
    struct WindowStep {
        /// The event time that closes the window.
        var end: Int64
        /// The window's entries: `first..<next`; `next - 1` is the closing event's last entry.
        var first: Int
        var next: Int
        /// The distinct values in the window, counted up to the threshold the scan was given
        /// (whether the window reaches it is all a rule asks).
        var distinct: Int

        /// The window as an alert names it: its span and distinct values in first-seen order.
        func window(of entries: [Entry]) -> Window {
            var seen = Set<String>()
            var values: [(value: String, label: String)] = []
            for entry in entries[first..<next] where seen.insert(entry.value).inserted {
                values.append((entry.value, entry.label))
            }
            return Window(start: entries[first].t, end: end, values: values)
        }
    }

    /// Slides a window of `width` milliseconds over entries sorted by (eventTime, eventID), one
    /// event at a time (an event with several values adds all its entries in one step). Both the
    /// firing check and settling walk windows through this one scan.
    ///
    /// A window's distinct values are counted up to `threshold`, first by walking back from its
    /// end through at most `quickLook` entries: a burst of thousands of reads of distinct secrets
    /// reaches the threshold within a few dozen entries, where a count of the whole window cost a
    /// walk through it for every event. A window that holds few values many times over (one
    /// secret read all day) is counted as before: a count of each value in the window, built once
    /// per scan and slid along with it to the scan's later windows. When every entry's value is
    /// its own (a rule counting events: the value is the eventID, counted once), the count is the
    /// window's length.
    struct WindowScan: IteratorProtocol {
        private let entries: [Entry]
        private let width: Int64
        private let upper: Int
        private let threshold: Int
        private let valuesAreEntries: Bool
        private var first: Int
        private var upcoming: Int
        /// The walk back from a window's end, reused between steps.
        private var seen = Set<String>()
        /// The count of each value in `counted`, once the walk back did not settle a window.
        private var counts: [String: Int]?
        private var counted = 0..<0

        /// Scans the events whose entries lie in `start..<upper`, counting distinct values up to
        /// `threshold`. `valuesAreEntries`: no two entries hold the same value.
        init(_ entries: [Entry], width: Int64, from start: Int, upTo upper: Int, threshold: Int, valuesAreEntries: Bool) {
            self.entries = entries
            self.width = width
            self.upper = upper
            self.threshold = threshold
            self.valuesAreEntries = valuesAreEntries
            self.first = start
            self.upcoming = start
        }

        /// How many entries the walk back from a window's end looks at before counting the window.
        var quickLook: Int { 4 * threshold }

        /// Passes over the windows that end before the entry at `index` (the first entry of an
        /// event, at or after the scan's position) without returning them.
        mutating func skip(to index: Int) {
            upcoming = max(upcoming, index)
        }

        mutating func next() -> WindowStep? {
            guard upcoming < upper else { return nil }
            let end = entries[upcoming].t
            let id = entries[upcoming].eventID
            while upcoming < upper, entries[upcoming].t == end, entries[upcoming].eventID == id {
                upcoming += 1
            }
            while entries[first].t <= end - width {
                first += 1
            }
            return WindowStep(end: end, first: first, next: upcoming, distinct: distinctValues())
        }

        /// The distinct values of `first..<upcoming`, up to `threshold`.
        private mutating func distinctValues() -> Int {
            if valuesAreEntries { return min(upcoming - first, threshold) }
            // Once counted, the next windows of the scan are slid to: they share most entries.
            if counts != nil { return min(slideCounts(), threshold) }
            seen.removeAll(keepingCapacity: true)
            var i = upcoming
            while i > first, upcoming - i < quickLook {
                i -= 1
                if seen.insert(entries[i].value).inserted, seen.count >= threshold { return threshold }
            }
            if i == first { return seen.count }
            return min(slideCounts(), threshold)
        }

        /// Moves the counts to the window `first..<upcoming` (both only move forward), building
        /// them the first time; returns the distinct values in it.
        private mutating func slideCounts() -> Int {
            var counts = self.counts.take() ?? [:]
            if counted.isEmpty { counted = first..<first }
            // By index: a loop over the entries would copy each one, four strings and a reference.
            for i in counted.upperBound..<upcoming {
                counts[entries[i].value, default: 0] += 1
            }
            for i in counted.lowerBound..<first {
                let left = counts[entries[i].value]! - 1
                counts[entries[i].value] = left == 0 ? nil : left
            }
            counted = first..<upcoming
            let distinct = counts.count
            self.counts = counts
            return distinct
        }
    }
}
