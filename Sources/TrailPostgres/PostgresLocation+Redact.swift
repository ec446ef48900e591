import TrailStore

extension PostgresLocation {
    /// `text` (a `postgres://` URL, well formed or not) without any password, for messages about
    /// a URL that may not parse.
    public static func redact(_ text: String) -> String {
        do {
            return try PostgresURLParts(parsing: text).redactedInput
        } catch {
            // Every parse error names the URL as already redacted.
            return error.path
        }
    }
}
