import Testing
import TrailDecode
import TrailModel

@Suite struct EventTimeParserTests {
    @Test func parsesWholeSeconds() {
        #expect(EventTimeParser.parse("1970-01-01T00:00:00Z") == EventTime(milliseconds: 0))
        #expect(EventTimeParser.parse("2024-06-03T10:00:00Z") == EventTime(seconds: 1_717_408_800))
    }

    @Test func keepsMillisecondsAndTruncatesFurtherDigits() {
        #expect(EventTimeParser.parse("2024-06-03T10:00:00.5Z")?.milliseconds == 1_717_408_800_500)
        #expect(EventTimeParser.parse("2024-06-03T10:00:00.123Z")?.milliseconds == 1_717_408_800_123)
        #expect(EventTimeParser.parse("2024-06-03T10:00:00.123999999Z")?.milliseconds == 1_717_408_800_123)
    }

    @Test func appliesOffsets() {
        let utc = EventTimeParser.parse("2024-06-03T10:00:00Z")
        #expect(EventTimeParser.parse("2024-06-03T12:00:00+02:00") == utc)
        #expect(EventTimeParser.parse("2024-06-03T05:30:00-0430") == utc)
        #expect(EventTimeParser.parse("2024-06-03T11:00:00+01") == utc)
        #expect(EventTimeParser.parse("2024-06-03T10:00:00.250+00:00")?.milliseconds == 1_717_408_800_250)
    }

    @Test func acceptsBytes() {
        #expect(EventTimeParser.parse(bytes: Array("2000-02-29T23:59:59Z".utf8)) == EventTime(seconds: 951_868_799))
    }

    @Test(arguments: [
        "", "2024-06-03", "2024-06-03T10:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2024-06-31T00:00:00Z", "2024-06-03T24:00:00Z", "2024-06-03T10:60:00Z", "2024-06-03T10:00:00.Z",
        "2024-06-03T10:00:00Zjunk", "2024/06/03T10:00:00Z", "20240603T100000Z", "2024-06-03T10:00:00+2",
        "Oct 21, 2024, 2:25:29 PM",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(EventTimeParser.parse(text) == nil)
    }

    @Test func leapDay() {
        #expect(EventTimeParser.parse("2024-02-29T00:00:00Z") != nil)
        #expect(EventTimeParser.parse("1900-02-29T00:00:00Z") == nil)
    }
}
