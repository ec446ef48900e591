import TrailStore

/// Counts per day as an inline SVG stacked bar chart: one bar per day, one colour per series (the
/// eight largest, the rest as "other"), a `<title>` per segment for a tooltip without script, and a
/// legend. Every label is escaped as SVG text.
struct StackedBarChart {
    static let maxDays: Int64 = 120
    static let maxSeries = 8
    var width = 760
    var height = 220
    /// A fixed class per series name (severities), else the palette `s0`…`s8` by size.
    var classOf: ((String) -> String)?

    /// The chart of `counts` over the days `first...last` (cut to the last `maxDays`), or a note when empty.
    func render(_ counts: [DailyCount], first: Int64, last: Int64, label: String) -> String {
        let lastDay = last
        let firstDay = max(first, last - Self.maxDays + 1)
        let inRange = counts.filter { $0.day >= firstDay && $0.day <= lastDay }
        guard !inRange.isEmpty, lastDay >= firstDay else { return "<p class=\"empty\">no \(HTMLEscape.text(label)) in this range</p>" }
        var totals: [String: Int64] = [:]
        for c in inRange { totals[c.series, default: 0] += c.count }
        let ranked = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        let kept = Array(ranked.prefix(Self.maxSeries))
        let other = ranked.count > kept.count ? "other" : nil
        let series = kept + (other.map { [$0] } ?? [])
        var byDay: [Int64: [String: Int64]] = [:]
        for c in inRange {
            let name = kept.contains(c.series) ? c.series : "other"
            byDay[c.day, default: [:]][name, default: 0] += c.count
        }
        let peak = max(1, byDay.values.map { $0.values.reduce(0, +) }.max() ?? 1)
        let days = Int(lastDay - firstDay + 1)
        let left = 44, top = 10, bottom = 36
        let plotWidth = width - left - 10, plotHeight = height - top - bottom
        let barWidth = max(1, plotWidth / days)
        let legendHeight = 18 * ((series.count + 2) / 3)
        var svg = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height + legendHeight)\" viewBox=\"0 0 \(width) \(height + legendHeight)\">"
        svg += "<title>\(HTMLEscape.text(label)) per day</title>"
        svg += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\"/>"
        svg += "<text x=\"2\" y=\"\(top + 10)\">\(peak)</text><text x=\"2\" y=\"\(top + plotHeight)\">0</text>"
        for (offset, day) in (firstDay...lastDay).enumerated() {
            guard let stack = byDay[day] else { continue }
            var y = top + plotHeight
            for (index, name) in series.enumerated() {
                guard let n = stack[name], n > 0 else { continue }
                let h = max(1, Int((Double(n) / Double(peak) * Double(plotHeight)).rounded()))
                y -= h
                let x = left + offset * barWidth
                svg += "<rect class=\"\(cssClass(name, index))\" x=\"\(x)\" y=\"\(y)\" width=\"\(max(1, barWidth - 1))\" height=\"\(h)\">"
                svg += "<title>\(HTMLEscape.text(Self.dayText(day))) \(HTMLEscape.text(name)): \(n)</title></rect>"
            }
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 14)\">\(HTMLEscape.text(Self.dayText(firstDay)))</text>"
        svg += "<text x=\"\(left + plotWidth)\" y=\"\(height - 14)\" text-anchor=\"end\">\(HTMLEscape.text(Self.dayText(lastDay)))</text>"
        for (index, name) in series.enumerated() {
            let x = 10 + (index % 3) * (width / 3), y = height + 18 * (index / 3)
            svg += "<rect class=\"\(cssClass(name, index))\" x=\"\(x)\" y=\"\(y - 10)\" width=\"10\" height=\"10\"/>"
            let shown = name.count > 60 ? String(name.prefix(59)) + "…" : name
            svg += "<text class=\"legend\" x=\"\(x + 14)\" y=\"\(y)\">\(HTMLEscape.text(shown))</text>"
        }
        return svg + "</svg>"
    }

    /// The class attribute's value, escaped: `classOf` may build it from stored text.
    private func cssClass(_ name: String, _ index: Int) -> String {
        if let classOf { return HTMLEscape.attribute(classOf(name)) }
        return name == "other" && index == Self.maxSeries ? "s8" : "s\(index % 9)"
    }

    /// `2024-05-01` for a day number.
    static func dayText(_ day: Int64) -> String {
        let t = EventTimeText.iso(day * 86_400_000)
        return String(t.prefix(10))
    }
}
