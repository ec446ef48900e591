import TrailModel

/// `BatchGetSecretValue` whose filters select every secret: every filter is `tag-key` and every
/// value is negated (`!tagThatNeverExists`), so nothing is excluded. Calls naming secrets
/// (`secretIdList`) or using any positive filter do not fire.
enum BatchCatchAllAnalysis {
    static func isCatchAll(_ filters: [BatchFilter]?) -> Bool {
        guard let filters, !filters.isEmpty else { return false }
        return filters.allSatisfy { f in
            f.key == "tag-key" && !f.values.isEmpty && f.values.allSatisfy { $0.hasPrefix("!") }
        }
    }

    static func analyse(_ e: AuditEvent) -> Finding? {
        guard isCatchAll(e.details.batchFilters), let filters = e.details.batchFilters else { return nil }
        let text = filters.map { "\($0.key)=\($0.values.joined(separator: "|"))" }
        return Finding(
            severity: nil,
            summary: "\(Phrase.who(e.principal)) called BatchGetSecretValue with filters that select every secret (\(text.joined(separator: ", ")))\(Phrase.outcome(e))\(Phrase.place(e))",
            evidence: [EvidenceItem("filters", .strings(text))],
            secret: e.secrets.first)
    }
}
