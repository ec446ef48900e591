import Testing
import TrailDecode
import TrailJSON
import TrailModel

@Suite struct EnvelopeBuilderTests {
    private func envelope(_ text: String) throws -> JSONDocument {
        // Built directly: an Insight record on its own would be skipped by the decoder.
        let r = DecodedRecord(record: try JSONDocument(text: text).root, location: RecordLocation(path: "t", recordIndex: 0, byteOffset: 0))
        let e = try Normaliser().normalise(r).get()
        return EnvelopeBuilder.envelope(for: e, record: r.record)
    }

    @Test func apiCall() throws {
        let doc = try envelope(record(#""eventSource":"kms.amazonaws.com","eventName":"Decrypt","eventType":"AwsApiCall","resources":[{"ARN":"arn:aws:kms:us-east-1:123456789012:key/k","accountId":"123456789012","type":"AWS::KMS::Key"},{"type":"x"}]"#, id: "ev-1", time: "2024-06-03T10:00:00.500Z"))
        #expect(String(decoding: doc.bytes, as: UTF8.self) == #"{"version":"0","id":"ev-1","detail-type":"AWS API Call via CloudTrail","source":"aws.kms","account":"123456789012","time":"2024-06-03T10:00:00.500Z","region":"us-east-1","resources":["arn:aws:kms:us-east-1:123456789012:key/k"]}"#)
        #expect(doc.root["detail"] == nil)
    }

    @Test(arguments: [
        ("AwsServiceEvent", "AWS Service Event via CloudTrail"),
        ("AwsConsoleSignIn", "AWS Console Sign In via CloudTrail"),
        ("AwsConsoleAction", "AWS Console Action via CloudTrail"),
        ("AwsCloudTrailInsight", "AWS Insight via CloudTrail"),
        ("AwsApiCall", "AWS API Call via CloudTrail"),
    ])
    func detailTypes(_ eventType: String, _ detailType: String) throws {
        let doc = try envelope(record(#""eventSource":"signin.amazonaws.com","eventType":"\#(eventType)""#))
        #expect(doc.root["detail-type"]?.string == detailType)
        #expect(doc.root["source"]?.string == "aws.signin")
        #expect(doc.root["resources"]?.count == 0)
    }

    @Test func escapedValuesStayValidJSON() throws {
        let doc = try envelope(record(#""eventSource":"s3.amazonaws.com","resources":[{"ARN":"arn:aws:s3:::b\"q","type":"AWS::S3::Bucket"}]"#, id: #"id\"quote"#))
        #expect(doc.root["id"]?.string == #"id"quote"#)
        #expect(doc.root["resources"]?.elements.map { $0.string } == [#"arn:aws:s3:::b"q"#])
    }
}
