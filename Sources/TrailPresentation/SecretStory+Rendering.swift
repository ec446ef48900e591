import TrailJSON
import TrailModel
import TrailStore

extension SecretStory {
    /// Table: a header block, then EVENTS, CALLERS and ALERTS sections. JSON: one object (one line).
    /// CSV: the events rows.
    public func render(_ formatter: ResultFormatter) -> String {
        switch formatter.format {
        case .csv: return formatter.render(events)
        case .json: return jsonLine(formatter) + "\n"
        case .table:
            let t = formatter.times
            var header: [[String]] = [["secret", name], ["arn", arns.first ?? "-"]]
            for other in arns.dropFirst() { header.append(["also seen as", other]) }
            header.append(["account", account])
            header.append(["region", region])
            header.append(["first seen", firstSeen.map(t.render) ?? "-"])
            header.append(["last seen", lastSeen.map(t.render) ?? "-"])
            header.append(["created", created.map { "\(t.render($0.time)) by \($0.principal)" } ?? "not in the history"])
            header.append(["deletion", deletionText(t)])
            header.append(["kms keys", keys.isEmpty ? "-" : keys.joined(separator: ", ")])
            header.append(["callers", String(callerCount)])
            header.append(["alerts", String(alertCount)])
            var whole = formatter
            whole.maxCellWidth = Int.max
            var out = TextGrid.render(header.map { [$0[0], whole.tableText(.text($0[1]))] })
            out += "\nEVENTS\n" + formatter.render(events)
            out += "\nCALLERS\n" + formatter.render(callers)
            out += "\nALERTS\n" + formatter.render(alerts)
            return out
        }
    }

    private func deletionText(_ t: TimeRendering) -> String {
        guard let d = deletion else { return "never scheduled" }
        var text = "scheduled \(t.render(d.scheduled)) by \(d.principal), "
        text += d.force ? "forced (no recovery window)" : "recovery window \(d.recoveryWindowInDays ?? 30) days"
        if let restored = d.restored { return text + ", restored \(t.render(restored))" }
        return text + ", gone \(t.render(d.deletionDate))"
    }

    private func jsonLine(_ f: ResultFormatter) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("secret"); w.string(name)
        w.key("arn"); w.optionalString(arns.first)
        w.key("arns"); w.beginArray(); for a in arns { w.string(a) }; w.endArray()
        w.key("account"); w.string(account)
        w.key("region"); w.string(region)
        w.key("firstSeen"); f.writeCell(firstSeen.map(Cell.time) ?? .null, into: &w)
        w.key("lastSeen"); f.writeCell(lastSeen.map(Cell.time) ?? .null, into: &w)
        w.key("created")
        if let c = created {
            w.beginObject(); w.key("time"); f.writeCell(.time(c.time), into: &w); w.key("principal"); w.string(c.principal); w.endObject()
        } else {
            w.null()
        }
        w.key("deletion")
        if let d = deletion {
            w.beginObject()
            w.key("scheduled"); f.writeCell(.time(d.scheduled), into: &w)
            w.key("principal"); w.string(d.principal)
            w.key("recoveryWindowInDays"); if let r = d.recoveryWindowInDays { w.integer(r) } else { w.null() }
            w.key("force"); w.bool(d.force)
            w.key("deletionDate"); f.writeCell(.time(d.deletionDate), into: &w)
            w.key("restored"); f.writeCell(d.restored.map(Cell.time) ?? .null, into: &w)
            w.endObject()
        } else {
            w.null()
        }
        w.key("kmsKeys"); w.beginArray(); for k in keys { w.string(k) }; w.endArray()
        w.key("callerCount"); w.integer(callerCount)
        w.key("alertCount"); w.integer(alertCount)
        for (key, table) in [("events", events), ("callers", callers), ("alerts", alerts)] {
            w.key(key)
            w.beginArray()
            for row in table.rows { f.writeObject(table.columns, row, into: &w) }
            w.endArray()
        }
        w.endObject()
        return w.text
    }
}
