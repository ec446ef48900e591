
extension Store {
    /// Marks alerts as delivered to the sinks (after they were printed).
    public func markEmitted(_ ids: [String]) throws(StoreError) {
        guard !ids.isEmpty else { return }
        try write("mark alerts emitted") { db in
            var statement = try db.statement("UPDATE alerts SET emitted = 1 WHERE id = ?")
            for id in ids {
                statement.bind(id)
                try statement.run()
            }
        }
    }

    /// Alerts committed but never marked emitted (the process stopped between commit and print),
    /// oldest first, as `(id, json)`.
    public func unemittedAlerts() throws(StoreError) -> [(id: String, json: String)] {
        try read("unemitted alerts") { db in
            var statement = try db.statement("SELECT id, json FROM alerts WHERE emitted = 0 ORDER BY time, id")
            var out: [(id: String, json: String)] = []
            while try statement.step() { out.append((statement.string(0), statement.string(1))) }
            statement.reset()
            return out
        }
    }
}
