import Testing
@testable import TrailDecode
import TrailJSON

/// A hostile file may name a new event source in every record: each record still gets the
/// constants of its own source, and the caches of constants stay bounded (an unbounded list
/// made such a file quadratic: 200,000 records took 49 s and 443 MB).
@Suite struct EnvelopeSketcherBoundsTests {
    static func records(sources: [String]) throws -> JSONDocument {
        let body = sources.enumerated().map { i, source in
            """
            {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/a","accountId":"111111111111"},\
            "eventTime":"2024-06-03T12:00:00Z","eventSource":"\(source)","eventName":"Describe","awsRegion":"us-east-1",\
            "eventID":"id-\(i)","eventType":"AwsApiCall","recipientAccountId":"111111111111"}
            """
        }.joined(separator: ",")
        return try JSONDocument(text: "[\(body)]")
    }

    @Test func everyRecordNamingANewSourceGetsItsOwnConstantsAndTheCachesStayBounded() throws {
        let shared = EnvelopeConstantsCache()
        let count = EnvelopeConstantsCache.limit + 500
        // New sources, then the first ones again (in the sketcher's list, then only in the shared cache).
        let sources = (0..<count).map { "svc\($0).amazonaws.com" } + ["svc0.amazonaws.com", "svc100.amazonaws.com", "svc\(count - 1).amazonaws.com"]
        let document = try Self.records(sources: sources)
        var sketcher = EnvelopeSketcher(shared: shared)
        for (record, source) in zip(document.root.elements, sources) {
            let sketched = sketcher.sketch(record)
            let sketch = try #require(sketched, "\(source)")
            #expect(sketch.constants["source"]?.string == "aws." + source.replacingOccurrences(of: ".amazonaws.com", with: ""), "\(source)")
        }
        #expect(shared.count == EnvelopeConstantsCache.limit)
        #expect(sketcher.sourcesKept == EnvelopeSketcher.localLimit)
    }
}
