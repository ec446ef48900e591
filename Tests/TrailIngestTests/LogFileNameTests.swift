import Testing

@testable import TrailIngest

@Suite struct LogFileNameTests {
    @Test(arguments: [
        ".hidden.json.gz", ".123456789012_CloudTrail_us-east-1_20240603T0000Z_abc.json.gz.Xy12ab",
        "a.json.gz.tmp", "a.TMP", "a.json.gz.part", "a.partial", "a.crdownload", "a.json~",
        "123456789012_CloudTrail_us-east-1_20240603T0000Z_abcdef0123456789.json.gz.1a2B3c4D",
        "x.json.Ab12", "",
    ])
    func temporaryNames(name: String) {
        #expect(LogFileName.isTemporary(name))
    }

    @Test(arguments: [
        "123456789012_CloudTrail_us-east-1_20240603T0000Z_abcdef0123456789.json.gz",
        "123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20240603T010203Z.json.gz",
        "events.jsonl", "export.json", "records.ndjson.gz", "README", "a.gz", "archive.json.gz.gzip",
    ])
    func realNames(name: String) {
        #expect(!LogFileName.isTemporary(name))
    }

    @Test func deliveryStamps() {
        #expect(LogFileName.deliveryStamp("123456789012_CloudTrail_us-east-1_20240603T1205Z_abcdef0123456789.json.gz") == 20240603120500)
        #expect(LogFileName.deliveryStamp("123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240603T120512Z.json.gz") == 20240603120512)
        #expect(LogFileName.deliveryStamp("export_2024.json") == nil)
        #expect(LogFileName.deliveryStamp("x_20240603T12Z_y") == nil)
        #expect(LogFileName.deliveryStamp("x_20240603T1205_y") == nil)
    }
}
