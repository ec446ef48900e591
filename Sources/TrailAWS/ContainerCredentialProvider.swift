import Foundation

/// ECS and EKS Pod Identity credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
/// `http://169.254.170.2`) or `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https, or http on loopback and
/// the ECS/EKS link-local hosts only), with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` sent as `Authorization`.
public struct ContainerCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    public let transport: any HTTPTransport
    public var name: String { "container" }

    public init(environment: AWSEnvironment, transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func load() async throws(AWSError) -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            let endpoint = try Endpoint(full, what: "AWS_CONTAINER_CREDENTIALS_FULL_URI")
            let allowedHTTPHosts = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
            guard endpoint.scheme == "https" || endpoint.isLoopback || allowedHTTPHosts.contains(endpoint.host) else {
                throw AWSError(.badConfiguration, operation: "container credentials",
                               reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on a loopback or ECS/EKS address")
            }
            url = full
        } else {
            return nil
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let tokenFile = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            guard let token = try environment.readFile(tokenFile, what: "container credentials") else {
                throw AWSError(.badCredentials, operation: "container credentials", reason: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile) does not exist")
            }
            headers.append(("Authorization", token.trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", token))
        }
        var attempt = 0
        while true {
            attempt += 1
            do throws(AWSError) {
                let response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: environment.metadataServiceTimeout(fallback: 5)), maxBodyBytes: 1 << 16)
                guard response.status == 200 else {
                    if response.status >= 500 && attempt < 3 { continue }
                    throw AWSError(.badCredentials, operation: "container credentials", status: response.status,
                                   reason: "the credentials endpoint refused the request")
                }
                return try CredentialDocument.parse(response.body, source: name)
            } catch where error.code == .transport && attempt < 3 {
                continue
            }
        }
    }
}
