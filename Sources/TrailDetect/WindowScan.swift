extension ThresholdDetector {
    /// One step of a ``WindowScan``: the window (end - width, end] that ends at one event, as the
    /// range of its entries and the number of distinct values in it.
    struct WindowStep {
        /// The event time that closes the window.
        var end: Int64
        /// The window's entries: `first..<next`; `next - 1` is the closing event's last entry.
        var first: Int
        var next: Int
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
    /// event at a time (an event with several values adds all its entries in one step), keeping a
    /// count of each value inside the window. Both the firing check and settling walk windows
    /// through this one scan.
    struct WindowScan: IteratorProtocol {
        private let entries: [Entry]
        private let width: Int64
        private let upper: Int
        private var first: Int
        private var upcoming: Int
        private var counts: [String: Int] = [:]

        /// Scans the events whose entries lie in `start..<upper`.
        init(_ entries: [Entry], width: Int64, from start: Int, upTo upper: Int) {
            self.entries = entries
            self.width = width
            self.upper = upper
            self.first = start
            self.upcoming = start
        }

        mutating func next() -> WindowStep? {
            guard upcoming < upper else { return nil }
            let end = entries[upcoming].t
            let id = entries[upcoming].eventID
            while upcoming < upper, entries[upcoming].t == end, entries[upcoming].eventID == id {
                counts[entries[upcoming].value, default: 0] += 1
                upcoming += 1
            }
            while entries[first].t <= end - width {
                let value = entries[first].value
                let left = counts[value]! - 1
                counts[value] = left == 0 ? nil : left
                first += 1
            }
            return WindowStep(end: end, first: first, next: upcoming, distinct: counts.count)
        }
    }
}
