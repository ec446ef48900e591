import Foundation
import Testing

/// `trailwatch pattern test`: EventBridge's TestEventPattern on the command line.
@Suite("pattern test")
struct PatternTestCLITests {
    static let pattern = #"{"source":["aws.secretsmanager"],"detail":{"eventName":[{"prefix":"Get"}],"errorCode":[{"exists":false}]}}"#
    static let matching = #"{"source":"aws.secretsmanager","detail":{"eventName":"GetSecretValue"}}"#
    static let notMatching = #"{"source":"aws.secretsmanager","detail":{"eventName":"GetSecretValue","errorCode":"AccessDenied"}}"#

    private func files() throws -> TempDirectory {
        let dir = try TempDirectory()
        try dir.write("pattern.json", Data(Self.pattern.utf8))
        try dir.write("match.json", Data(Self.matching.utf8))
        try dir.write("miss.json", Data(Self.notMatching.utf8))
        try dir.write("bad-pattern.json", Data(#"{"detail":{"eventName":[{"prefix":1}]}}"#.utf8))
        try dir.write("bad-event.json", Data(#"{"source":"#.utf8))
        return dir
    }

    @Test("--pattern/--event print true or false and exit 0")
    func trueFalse() throws {
        let dir = try files()
        let yes = try TrailwatchBinary.run(["pattern", "test", "--pattern", "pattern.json", "--event", "match.json"], in: dir.url)
        #expect(yes.exitCode == 0 && yes.stdout == "true\n" && yes.stderr.isEmpty, "\(yes)")
        let no = try TrailwatchBinary.run(["pattern", "test", "--pattern", "pattern.json", "--event", "miss.json"], in: dir.url)
        #expect(no.exitCode == 0 && no.stdout == "false\n" && no.stderr.isEmpty, "\(no)")
        let stdin = try TrailwatchBinary.run(["pattern", "test", "--pattern", "pattern.json", "--event", "-"], in: dir.url,
                                             stdin: Self.matching)
        #expect(stdin.exitCode == 0 && stdin.stdout == "true\n", "\(stdin)")
    }

    @Test("an invalid pattern, invalid event JSON or a missing file: exit 2 with the error", arguments: [
        (["--pattern", "bad-pattern.json", "--event", "match.json"],
         #"error: bad-pattern.json: detail.eventName[0]: "prefix" needs a string or {"equals-ignore-case": string}"#),
        (["--pattern", "pattern.json", "--event", "bad-event.json"],
         "error: bad-event.json: invalid JSON at byte 10: unexpected end of input"),
        (["--pattern", "pattern.json", "--event", "nope.json"], "error: nope.json: No such file or directory"),
    ])
    func errors(_ arguments: [String], _ message: String) throws {
        let dir = try files()
        let result = try TrailwatchBinary.run(["pattern", "test"] + arguments, in: dir.url)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr == message + "\n", "\(result)")
    }

    /// `/dev/zero` grew to gigabytes before; a file is read only up to 64 MiB.
    @Test("a --pattern or --event file over 64 MiB is refused, exit 2",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/zero"), "no /dev/zero on this system"))
    func oversizedFiles() throws {
        let dir = try files()
        for arguments in [["--pattern", "/dev/zero", "--event", "match.json"], ["--pattern", "pattern.json", "--event", "/dev/zero"]] {
            let result = try TrailwatchBinary.run(["pattern", "test"] + arguments, in: dir.url, timeout: 60)
            #expect(result.exitCode == 2, "\(result)")
            #expect(result.stderr == "error: /dev/zero: larger than 64 MiB\n", "\(result)")
        }
    }

    /// --jsonl answers as it reads: a line past 64 MiB is answered with an error and its bytes
    /// dropped, and the lines after it are answered as usual.
    @Test("--jsonl answers a line over 64 MiB with an error and goes on")
    func overlongLine() throws {
        let line = #"{"pattern":\#(Self.pattern),"event":\#(Self.matching)}"#
        let input = line + "\n" + String(repeating: " ", count: (64 << 20) + 10) + "\n" + line + "\r\n" + line
        let result = try TrailwatchBinary.run(["pattern", "test", "--jsonl"], stdin: input, timeout: 120)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdoutLines == ["true", "error: line longer than 64 MiB", "true", "true"], "\(result.stdoutLines.prefix(5))")
    }

    @Test("--pattern without --event, or --jsonl with --pattern: usage error, exit 2")
    func usage() throws {
        let dir = try files()
        let lone = try TrailwatchBinary.run(["pattern", "test", "--pattern", "pattern.json"], in: dir.url)
        #expect(lone.exitCode == 2 && lone.stdout.isEmpty && lone.stderr.contains("give --pattern and --event, or --jsonl"), "\(lone)")
        let both = try TrailwatchBinary.run(["pattern", "test", "--jsonl", "--pattern", "pattern.json"], in: dir.url)
        #expect(both.exitCode == 2 && both.stdout.isEmpty && both.stderr.contains("--jsonl cannot be combined"), "\(both)")
    }

    @Test("--jsonl answers every line in order, keeps going after malformed lines, exits 0")
    func jsonLines() throws {
        let input = [
            #"{"pattern":\#(Self.pattern),"event":\#(Self.matching)}"#,
            #"{"pattern":\#(Self.pattern),"event":\#(Self.notMatching)}"#,
            #"{"pattern":{"a":[1]},"event":"#,                     // truncated line
            "",                                                      // empty line
            "[1]",                                                   // not an object
            #"{"event":{"a":1}}"#,                                  // no pattern
            #"{"pattern":{"a":[{"numeric":[">",0,"<=",5]}]},"event":{"a":5}}"#,
            #"{"pattern":{"a":{"b":1}},"event":{"a":{"b":1}}}"#,   // invalid pattern: a leaf that is not an array
            #"{"pattern":{"a":[1]},"event":{"a":[3,2,1]}}"#,        // arrays match any element
        ].joined(separator: "\n") + "\n"
        let result = try TrailwatchBinary.run(["pattern", "test", "--jsonl"], stdin: input)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(result.stdoutLines == [
            "true",
            "false",
            "error: invalid JSON at byte 29: unexpected end of input",
            "error: empty line",
            #"error: a line must be a JSON object with "pattern" and "event""#,
            #"error: the line has no "pattern""#,
            "true",
            #"error: a.b: "b" must be an object or an array"#,
            "true",
        ], "\(result)")
    }
}
