/// EC2 instance-profile credentials through IMDSv2: a session token from `PUT /latest/api/token`,
/// then the role name and its credentials under `/latest/meta-data/iam/security-credentials/`.
/// `AWS_EC2_METADATA_DISABLED=true` turns it off; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it.
/// No answer within two seconds means "not on EC2": the chain ends without credentials.
public struct InstanceMetadataCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    public let transport: any HTTPTransport
    public var name: String { "IMDS" }

    public init(environment: AWSEnvironment, transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func load() async throws(AWSError) -> AWSCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while base.hasSuffix("/") { base.removeLast() }
        _ = try Endpoint(base, what: "AWS_EC2_METADATA_SERVICE_ENDPOINT")
        let tokenResponse: HTTPResponse
        do throws(AWSError) {
            tokenResponse = try await transport.send(
                HTTPRequest(method: "PUT", url: base + "/latest/api/token",
                            headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")], timeout: environment.metadataServiceTimeout(fallback: 2)),
                maxBodyBytes: 4096)
        } catch where error.code == .transport {
            return nil  // Not on EC2 (or IMDS unreachable): not an error for the chain.
        }
        guard tokenResponse.status == 200 else {
            if tokenResponse.status == 403 || tokenResponse.status == 404 { return nil }
            throw AWSError(.badCredentials, operation: "IMDS", status: tokenResponse.status, reason: "IMDSv2 refused a session token")
        }
        let headers = [(name: "X-aws-ec2-metadata-token", value: String(decoding: tokenResponse.body, as: UTF8.self))]
        let listing = try await transport.send(
            HTTPRequest(method: "GET", url: base + "/latest/meta-data/iam/security-credentials/", headers: headers, timeout: environment.metadataServiceTimeout(fallback: 2)),
            maxBodyBytes: 4096)
        guard listing.status == 200 else {
            if listing.status == 404 { return nil }  // No instance profile.
            throw AWSError(.badCredentials, operation: "IMDS", status: listing.status, reason: "cannot list the instance profile's role")
        }
        guard let role = String(decoding: listing.body, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init),
              !role.isEmpty, role.utf8.allSatisfy({ URIEncoding.isUnreserved($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "@") }) else {
            throw AWSError(.badResponse, operation: "IMDS", reason: "the instance profile's role name is missing or malformed")
        }
        let document = try await transport.send(
            HTTPRequest(method: "GET", url: base + "/latest/meta-data/iam/security-credentials/" + role, headers: headers, timeout: environment.metadataServiceTimeout(fallback: 2)),
            maxBodyBytes: 1 << 16)
        guard document.status == 200 else {
            throw AWSError(.badCredentials, operation: "IMDS", status: document.status, reason: "cannot read the role's credentials")
        }
        return try CredentialDocument.parse(document.body, source: name)
    }
}
