import Foundation

/// `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN` (and optional `AWS_ROLE_SESSION_NAME`): the
/// token file is read again at every refresh (EKS rotates it) and exchanged through STS
/// `AssumeRoleWithWebIdentity`.
public struct WebIdentityCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    public let transport: any HTTPTransport
    public var name: String { "web identity" }

    public init(environment: AWSEnvironment, transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func load() async throws(AWSError) -> AWSCredentials? {
        let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], roleARN = environment["AWS_ROLE_ARN"]
        guard tokenFile != nil || roleARN != nil else { return nil }
        guard let tokenFile, let roleARN else {
            throw AWSError(.badCredentials, operation: "web identity", reason: "set both AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN")
        }
        guard let token = try environment.readFile(tokenFile, what: "web identity")?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
            throw AWSError(.badCredentials, operation: "web identity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE \(tokenFile) is missing or empty")
        }
        let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let sts = try STSClient(environment: environment, region: region, transport: transport)
        let sessionName = environment["AWS_ROLE_SESSION_NAME"] ?? "trailwatch-\(Int(environment.now().timeIntervalSince1970))"
        return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: token, label: name)
    }
}
