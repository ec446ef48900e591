import Foundation
import Testing

@testable import TrailAWS

/// Cases of AWS's published SigV4 test suite (`aws-sig-v4-test-suite`): every case signs for
/// region us-east-1, service `service`, at 2015-08-30T12:36:00Z with the suite's example key.
/// Inputs and expected `Authorization` values are the suite's; the table is written here.
@Suite struct SigV4SuiteTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        var name: String
        var method: String = "GET"
        var path: String = "/"
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body: String = ""
        var token: String?
        var signedHeaders: String = "host;x-amz-date"
        var signature: String
        var testDescription: String { name }
    }

    static let suiteToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
    static let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "get-vanilla-empty-query-key", query: [("Param1", "value1")],
               signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Vector(name: "get-vanilla-query-order-key-case", query: [("Param2", "value2"), ("Param1", "value1")],
               signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-vanilla-query-unreserved", query: [(unreserved, unreserved)],
               signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Vector(name: "get-vanilla-utf8-query", query: [("\u{1234}", "bar")],
               signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(name: "get-unreserved", path: "/" + unreserved,
               signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(name: "get-utf8", path: "/\u{1234}",
               signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(name: "get-header-value-trim", headers: [("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")],
               signedHeaders: "host;my-header1;my-header2;x-amz-date",
               signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(name: "post-vanilla", method: "POST",
               signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "post-vanilla-query-nonunreserved", method: "POST",
               query: [("@#$%^", ""), ("+", "/,?><`\";:\\|][{}")],
               signature: "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"),
        Vector(name: "post-x-www-form-urlencoded", method: "POST",
               headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1",
               signedHeaders: "content-type;host;x-amz-date",
               signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(name: "post-sts-header-before", method: "POST", token: suiteToken,
               signedHeaders: "host;x-amz-date;x-amz-security-token",
               signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
    ]

    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    @Test(arguments: vectors)
    func matchesPublishedSignature(_ vector: Vector) {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: vector.token, source: "test")
        let request = SignableRequest(
            method: vector.method, host: "example.amazonaws.com", path: vector.path, query: vector.query,
            headers: vector.headers, payloadHash: SigV4.sha256Hex(Array(vector.body.utf8)))
        let signed = SigV4(region: "us-east-1", service: "service").sign(request, credentials: credentials, date: Self.date)
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
        #expect(signed.headers.contains { $0.name == "X-Amz-Date" && $0.value == "20150830T123600Z" })
        #expect(signed.headers.contains { $0.name == "X-Amz-Security-Token" } == (vector.token != nil))
    }

    @Test func canonicalRequestOfUTF8Path() {
        let request = SignableRequest(method: "GET", host: "example.amazonaws.com", path: "/\u{1234}")
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "x", source: "test")
        let signed = SigV4(region: "us-east-1", service: "service").sign(request, credentials: credentials, date: Self.date)
        #expect(signed.canonicalRequest == "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(SigV4.emptyPayloadHash)")
    }

    @Test func s3SignsContentHash() {
        let request = SignableRequest(method: "GET", host: "bucket.s3.amazonaws.com", path: "/a b+c")
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "x", source: "test")
        let signed = SigV4(region: "us-east-1", service: "s3").sign(request, credentials: credentials, date: Self.date)
        #expect(signed.canonicalRequest.hasPrefix("GET\n/a%20b%2Bc\n\nhost:bucket.s3.amazonaws.com\nx-amz-content-sha256:\(SigV4.emptyPayloadHash)\n"))
        #expect(signed.authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"))
    }

    @Test func credentialsNeverPrintSecrets() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE1234", secretAccessKey: "SECRETSECRET", sessionToken: "TOKENTOKEN", source: "env")
        for text in ["\(credentials)", String(reflecting: credentials)] {
            #expect(!text.contains("SECRETSECRET"))
            #expect(!text.contains("TOKENTOKEN"))
            #expect(!text.contains("AKIDEXAMPLE"))
        }
    }

    @Test func uriDecodeKeepsMalformedEscapes() {
        #expect(URIEncoding.decode("a%2Fb%zz%4") == "a/b%zz%4")
        #expect(URIEncoding.decode("a+b%2B", plusIsSpace: true) == "a b+")
    }
}
