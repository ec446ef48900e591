import Foundation
import Testing

@testable import TrailAWS
import TrailTestSupport

/// Signs generated S3 and STS requests here and with botocore's own signer (`S3SigV4Auth`,
/// `SigV4Auth`), and requires the same `Authorization` header for every one. botocore encodes the
/// query itself from a dictionary, so the encoding is checked independently too.
@Suite struct BotocoreCrossCheckTests {
    /// Reads one JSON request per line, prints one Authorization header per line.
    static let script = #"""
import sys, json, datetime
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
for line in sys.stdin:
    r = json.loads(line)
    fixed = datetime.datetime.fromtimestamp(r["epoch"], datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda fixed=fixed: fixed
    creds = Credentials(r["key"], r["secret"], r.get("token"))
    req = AWSRequest(method=r["method"], url=r["url"], params=dict(r["params"]), headers=dict(r["headers"]), data=r["body"].encode())
    cls = botocore.auth.S3SigV4Auth if r["service"] == "s3" else botocore.auth.SigV4Auth
    cls(creds, r["service"], r["region"]).add_auth(req)
    print(req.headers["Authorization"])
"""#

    struct Generated {
        var request: SignableRequest
        var service: String
        var region: String
        var credentials: AWSCredentials
        var date: Date
        var body: String
    }

    static func generate(count: Int) -> [Generated] {
        var rng = SplitMix64(seed: 0x5157_4154)
        let alphabet = Array("abcXYZ019-._~ /+=&?%:@!$'()*,;é\u{1234}日#[]")
        func text(_ maxLength: Int) -> String {
            String((0..<Int.random(in: 1...maxLength, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        return (0..<count).map { i in
            let s3 = i % 4 != 0
            var query: [(name: String, value: String)] = []
            var used = Set<String>()
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                let name = ["list-type", "prefix", "delimiter", "continuation-token", "start-after", text(8)].randomElement(using: &rng)!
                if used.insert(name).inserted { query.append((name, text(20))) }
            }
            let body = i % 5 == 0 ? "Action=AssumeRole&RoleArn=" + text(12) : ""
            let headers: [(name: String, value: String)] = i % 3 == 0 ? [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")] : []
            let request = SignableRequest(
                method: body.isEmpty ? "GET" : "POST", host: "127.0.0.1:\(9000 + i % 7)",
                path: s3 ? "/bucket-\(i % 3)/" + text(30) : "/", query: query, headers: headers,
                payloadHash: SigV4.sha256Hex(Array(body.utf8)))
            let credentials = AWSCredentials(
                accessKeyID: "AKID\(i)", secretAccessKey: "secret/\(i)+\(text(6))",
                sessionToken: i % 2 == 0 ? "token\(i)//+=" : nil, source: "test")
            let date = Date(timeIntervalSince1970: TimeInterval(1_600_000_000 + Int.random(in: 0...200_000_000, using: &rng)))
            return Generated(request: request, service: s3 ? "s3" : "sts", region: ["us-east-1", "eu-west-3", "ap-south-2"][i % 3],
                             credentials: credentials, date: date, body: body)
        }
    }

    @Test func agreesWithBotocore() throws {
        let cases = Self.generate(count: 300)
        var input = ""
        for c in cases {
            let object: [String: Any] = [
                "method": c.request.method, "url": "http://\(c.request.host)\(c.request.encodedPath)",
                "params": c.request.query.map { [$0.name, $0.value] }, "headers": c.request.headers.map { [$0.name, $0.value] },
                "body": c.body, "key": c.credentials.accessKeyID, "secret": c.credentials.secretAccessKey,
                "token": c.credentials.sessionToken as Any, "service": c.service, "region": c.region,
                "epoch": Int(c.date.timeIntervalSince1970),
            ]
            input += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
        }
        guard let output = try runPython(Self.script, input: input) else { return }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try #require(lines.count >= cases.count, "botocore printed \(lines.count) lines for \(cases.count) requests")
        for (index, c) in cases.enumerated() {
            let ours = SigV4(region: c.region, service: c.service).sign(c.request, credentials: c.credentials, date: c.date)
            #expect(ours.authorization == lines[index], "case \(index): \(c.request.method) \(c.request.encodedPath)?\(c.request.canonicalQuery)")
        }
    }
}

/// Runs `python3 -c script` with `input` on standard input; records an issue and returns nil
/// when Python or botocore is missing (install with `pip install boto3`).
func runPython(_ script: String, input: String) throws -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    do {
        try process.run()
    } catch {
        Issue.record("python3 is needed for the botocore cross-check (install Python 3 and `pip install boto3`): \(error)")
        return nil
    }
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        let message = String(decoding: err, as: UTF8.self)
        if message.contains("No module named") {
            Issue.record("botocore is needed for the cross-check: `pip install boto3` (\(message.split(separator: "\n").last ?? ""))")
        } else {
            Issue.record("python3 failed (status \(process.terminationStatus)): \(message)")
        }
        return nil
    }
    return String(decoding: out, as: UTF8.self)
}
