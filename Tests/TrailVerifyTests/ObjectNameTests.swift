import Testing
import TrailModel
@testable import TrailVerify

@Suite struct ObjectNameTests {
    @Test func logName() throws {
        let n = try #require(TrailObjectName.parse(
            "/tmp/x/pre/fix/AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2024/06/03/111122223333_CloudTrail_us-east-1_20240603T1205Z_AbCdEf0123456789.json.gz"))
        #expect(n.kind == .log)
        #expect(n.account == "111122223333")
        #expect(n.region == "us-east-1")
        #expect(n.key.hasPrefix("AWSLogs/o-abc/111122223333/CloudTrail/"))
        #expect(n.delivered?.iso8601.hasPrefix("2024-06-03T12:05:00") == true)
    }

    @Test func digestAndSidecarNames() throws {
        let digest = "AWSLogs/1/CloudTrail-Digest/eu-west-1/2024/06/03/1_CloudTrail-Digest_eu-west-1_my_trail_us-east-1_20240603T111927Z.json.gz"
        let d = try #require(TrailObjectName.parse("/data/" + digest))
        #expect(d.kind == .digest)
        #expect(d.trail == "my_trail")
        #expect(d.homeRegion == "us-east-1")
        #expect(d.key == digest)
        let s = try #require(TrailObjectName.parse("/data/" + digest + ".metadata.json"))
        #expect(s.kind == .signatureSidecar)
        #expect(s.key == digest)
    }

    @Test func otherFilesAreNotTrailObjects() {
        #expect(TrailObjectName.parse("/x/manifest.json") == nil)
        #expect(TrailObjectName.parse("/x/1_CloudTrail-Insight_us-east-1_20240603T1205Z_abc.json.gz") == nil)
        #expect(TrailObjectName.parse("/x/notes.json.gz") == nil)
    }

    @Test func hexRoundTrip() {
        let bytes: [UInt8] = [0, 1, 0xAB, 0xFF, 0x10]
        #expect(Hex.encode(bytes) == "0001abff10")
        #expect(Hex.decode("0001ABff10") == bytes)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
