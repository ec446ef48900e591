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
    /// Each step costs what it takes to find `threshold` distinct values, walking back from the
    /// window's end, not a walk through the window: a burst of thousands of reads of distinct
    /// secrets is checked in a few dozen entries per event (once a walk through every window
    /// before it, quadratic in the burst). When every entry's value is its own (a rule counting
    /// events: the value is the eventID, counted once), the count is the window's length.
    struct WindowScan: IteratorProtocol {
        private let entries: [Entry]
        private let width: Int64
        private let upper: Int
        private let threshold: Int
        private let valuesAreEntries: Bool
        private var first: Int
        private var upcoming: Int

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
            return WindowStep(end: end, first: first, next: upcoming, distinct: distinctValues(in: first..<upcoming))
        }

        /// The distinct values of `range`, counted from its end back until `threshold` of them.
        private func distinctValues(in range: Range<Int>) -> Int {
            if valuesAreEntries { return min(range.count, threshold) }
            var seen = Set<String>(minimumCapacity: threshold)
            for i in range.reversed() where seen.insert(entries[i].value).inserted {
                if seen.count >= threshold { break }
            }
            return seen.count
        }
    }
}
