import TrailJSON
import TrailModel
import TrailStore

extension StatusReport {
    /// Table: a summary block then PER ACCOUNT AND REGION, FAILED FILES, SKIPPED FILES. JSON: one object.
    /// CSV: the per-account-and-region rows. `inflater` names the running binary's gunzip
    /// (`inflate` last in the table, `inflater` in JSON; nil leaves it out).
    public func render(_ formatter: ResultFormatter, inflater: String? = nil) -> String {
        switch formatter.format {
        case .csv: return formatter.render(places)
        case .json:
            var w = JSONWriter()
            w.beginObject()
            w.key("files"); w.beginObject()
            w.key("done"); w.integer(filesDone); w.key("skipped"); w.integer(filesSkipped); w.key("failed"); w.integer(filesFailed)
            w.endObject()
            w.key("records"); w.integer(records)
            w.key("skippedRecords"); w.integer(skippedRecords)
            w.key("invalidRecords"); w.integer(invalidRecords)
            w.key("events"); w.integer(events)
            w.key("alerts"); w.integer(alerts)
            for (key, table) in [("places", places), ("failedFiles", failed), ("skippedFiles", skipped),
                                 ("verifiedDigests", verifiedDigests), ("outbox", outbox)] {
                w.key(key)
                w.beginArray()
                for row in table.rows { formatter.writeObject(table.columns, row, into: &w) }
                w.endArray()
            }
            if let inflater { w.key("inflater"); w.string(inflater) }
            w.endObject()
            return w.text + "\n"
        case .table:
            var out = TextGrid.render([
                ["files", "\(filesDone) done, \(filesSkipped) skipped, \(filesFailed) failed"],
                ["records", "\(records) read, \(skippedRecords) skipped, \(invalidRecords) invalid"],
                ["events", "\(events) secret-related events ingested (prune does not lower this)"],
                ["alerts", "\(alerts)"],
            ])
            out += "\nPER ACCOUNT AND REGION\n" + formatter.render(places)
            if !failed.rows.isEmpty { out += "\nFAILED FILES\n" + formatter.render(failed) }
            if !skipped.rows.isEmpty { out += "\nSKIPPED FILES\n" + formatter.render(skipped) }
            if !verifiedDigests.rows.isEmpty { out += "\nNEWEST VERIFIED DIGEST\n" + formatter.render(verifiedDigests) }
            if !outbox.rows.isEmpty { out += "\nALERT OUTBOX\n" + formatter.render(outbox) }
            if let inflater { out += "\ninflate: \(inflater)\n" }
            return out
        }
    }
}
