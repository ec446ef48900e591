/// An error message without a location (the compiler adds the JSON path).
struct PatternMessage: Error, ExpressibleByStringLiteral, Sendable {
    var text: String
    init(_ text: String) { self.text = text }
    init(stringLiteral value: String) { self.text = value }
}
