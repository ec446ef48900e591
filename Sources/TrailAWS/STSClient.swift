import Foundation

/// The two STS calls the credential chain needs, over the query API: `AssumeRole` (signed with
/// the source credentials) and `AssumeRoleWithWebIdentity` (unsigned; the token is the proof).
public struct STSClient: Sendable {
    public let transport: any HTTPTransport
    public let endpoint: Endpoint
    public let region: String
    public let now: @Sendable () -> Date

    /// STS for `region` at `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else
    /// `https://sts.REGION.amazonaws.com`.
    public init(environment: AWSEnvironment, region: String, transport: any HTTPTransport) throws(AWSError) {
        let url = environment["AWS_ENDPOINT_URL_STS"] ?? environment["AWS_ENDPOINT_URL"] ?? "https://sts.\(region).amazonaws.com"
        self.endpoint = try Endpoint(url, what: "STS endpoint")
        self.region = region
        self.transport = transport
        self.now = environment.now
    }

    /// `AssumeRole` with `source` credentials.
    public func assumeRole(roleARN: String, sessionName: String, externalID: String?, durationSeconds: Int?,
                           source: AWSCredentials, label: String) async throws(AWSError) -> AWSCredentials {
        var form = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN), ("RoleSessionName", sessionName)]
        if let externalID { form.append(("ExternalId", externalID)) }
        if let durationSeconds { form.append(("DurationSeconds", String(durationSeconds))) }
        return try await call(form: form, signWith: source, resultElement: "AssumeRoleResult", label: label)
    }

    /// `AssumeRoleWithWebIdentity` with the OIDC `token` (EKS/IRSA).
    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: String, label: String) async throws(AWSError) -> AWSCredentials {
        let form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
                    ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        return try await call(form: form, signWith: nil, resultElement: "AssumeRoleWithWebIdentityResult", label: label)
    }

    private func call(form: [(String, String)], signWith credentials: AWSCredentials?, resultElement: String, label: String) async throws(AWSError) -> AWSCredentials {
        let action = form[0].1
        let operation = "STS \(action) (\(label))"
        let body = Array(form.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&").utf8)
        let contentType = "application/x-www-form-urlencoded; charset=utf-8"
        let signable = SignableRequest(method: "POST", host: endpoint.hostHeader, path: endpoint.basePath + "/",
                                       headers: [("Content-Type", contentType)], payloadHash: SigV4.sha256Hex(body))
        var headers: [(name: String, value: String)] = [("Host", endpoint.hostHeader), ("Content-Type", contentType)]
        if let credentials {
            headers += SigV4(region: region, service: "sts").sign(signable, credentials: credentials, date: now()).headers
        }
        let request = HTTPRequest(method: "POST", url: endpoint.url(for: signable), headers: headers, body: body, timeout: 30)
        var attempt = 0
        while true {
            attempt += 1
            let response: HTTPResponse
            do throws(AWSError) {
                response = try await transport.send(request, maxBodyBytes: 1 << 20)
            } catch where error.code == .transport && attempt < 3 {
                continue
            }
            let xml = XMLScan(response.body)
            guard response.status == 200 else {
                let errorCode = xml.text("Code", in: xml.all)
                if (response.status >= 500 || errorCode == "Throttling") && attempt < 3 { continue }
                throw AWSError(response.status == 403 ? .accessDenied : .service, operation: operation, status: response.status,
                               serviceCode: errorCode, reason: xml.text("Message", in: xml.all) ?? "STS refused the request")
            }
            guard let result = xml.elements(resultElement, in: xml.all).first,
                  let block = xml.elements("Credentials", in: result).first,
                  let key = xml.text("AccessKeyId", in: block), let secret = xml.text("SecretAccessKey", in: block),
                  let token = xml.text("SessionToken", in: block) else {
                throw AWSError(.badResponse, operation: operation, status: response.status, reason: "no Credentials in the STS response")
            }
            let expiration = xml.text("Expiration", in: block).flatMap(ISOTime.parse)
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: expiration, source: label)
        }
    }
}
