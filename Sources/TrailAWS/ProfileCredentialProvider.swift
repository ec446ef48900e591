import Foundation

/// Credentials of a named profile in `~/.aws/credentials` and `~/.aws/config`: static keys, or
/// `role_arn` assumed through STS with the credentials of `source_profile` (chains of profiles
/// allowed, cycles refused), of `credential_source` (`Environment`, `EcsContainer`,
/// `Ec2InstanceMetadata`) or of `web_identity_token_file`.
public struct ProfileCredentialProvider: CredentialProvider {
    public let environment: AWSEnvironment
    public let transport: any HTTPTransport
    public var name: String { "profile \(environment.profileName)" }

    public init(environment: AWSEnvironment, transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func load() async throws(AWSError) -> AWSCredentials? {
        let files = try ProfileFiles.load(environment)
        let profile = environment.profileName
        guard files.profiles[profile] != nil else {
            if environment.profileIsExplicit {
                throw AWSError(.badCredentials, operation: "profile \"\(profile)\"",
                               reason: "AWS_PROFILE names a profile that is in neither \(environment.credentialsFile ?? "~/.aws/credentials") nor \(environment.configFile ?? "~/.aws/config")")
            }
            return nil
        }
        return try await resolve(profile, files: files, visited: [])
    }

    private func resolve(_ profile: String, files: ProfileFiles, visited: [String]) async throws(AWSError) -> AWSCredentials? {
        let operation = "profile \"\(profile)\""
        guard let settings = files.profiles[profile] else {
            throw AWSError(.badCredentials, operation: "profile \"\(visited.last ?? profile)\"", reason: "source_profile \"\(profile)\" does not exist")
        }
        if visited.contains(profile) {
            throw AWSError(.badCredentials, operation: operation, reason: "source_profile chain loops: \((visited + [profile]).joined(separator: " → "))")
        }
        let staticKeys: AWSCredentials?
        switch (settings["aws_access_key_id"], settings["aws_secret_access_key"]) {
        case let (key?, secret?) where !key.isEmpty && !secret.isEmpty:
            staticKeys = AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: settings["aws_session_token"], source: "profile \(profile)")
        case (nil, nil):
            staticKeys = nil
        default:
            throw AWSError(.badCredentials, operation: operation, reason: "set both aws_access_key_id and aws_secret_access_key")
        }
        guard let roleARN = settings["role_arn"] else {
            if staticKeys == nil && visited.isEmpty && settings["sso_start_url"] == nil && settings["sso_session"] == nil {
                return nil
            }
            guard let staticKeys else {
                throw AWSError(.badCredentials, operation: operation, reason: "no aws_access_key_id/aws_secret_access_key or role_arn (SSO profiles are not supported yet)")
            }
            return staticKeys
        }
        // A profile that assumes a role and is itself used as a source: its own keys come first.
        if !visited.isEmpty, let staticKeys { return staticKeys }
        let region = settings["region"] ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let sts = try STSClient(environment: environment, region: region, transport: transport)
        let sessionName = settings["role_session_name"] ?? "trailwatch-\(Int(environment.now().timeIntervalSince1970))"
        if let tokenFile = settings["web_identity_token_file"] {
            guard let token = try environment.readFile(tokenFile, what: operation)?.trimmingCharacters(in: .whitespacesAndNewlines) else {
                throw AWSError(.badCredentials, operation: operation, reason: "web_identity_token_file \(tokenFile) does not exist")
            }
            return try await sts.assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: token, label: "profile \(profile)")
        }
        let source: AWSCredentials
        if let sourceProfile = settings["source_profile"] {
            if sourceProfile == profile, let staticKeys {
                source = staticKeys
            } else {
                guard let resolved = try await resolve(sourceProfile, files: files, visited: visited + [profile]) else {
                    throw AWSError(.badCredentials, operation: operation, reason: "source_profile \"\(sourceProfile)\" has no credentials")
                }
                source = resolved
            }
        } else if let credentialSource = settings["credential_source"] {
            let provider: any CredentialProvider
            switch credentialSource {
            case "Environment": provider = EnvironmentCredentialProvider(environment: environment)
            case "EcsContainer": provider = ContainerCredentialProvider(environment: environment, transport: transport)
            case "Ec2InstanceMetadata": provider = InstanceMetadataCredentialProvider(environment: environment, transport: transport)
            default:
                throw AWSError(.badCredentials, operation: operation, reason: "credential_source \"\(credentialSource)\" is not Environment, EcsContainer or Ec2InstanceMetadata")
            }
            guard let found = try await provider.load() else {
                throw AWSError(.badCredentials, operation: operation, reason: "credential_source \(credentialSource) yielded no credentials")
            }
            source = found
        } else {
            throw AWSError(.badCredentials, operation: operation, reason: "role_arn needs source_profile, credential_source or web_identity_token_file")
        }
        return try await sts.assumeRole(roleARN: roleARN, sessionName: sessionName, externalID: settings["external_id"],
                                        durationSeconds: settings["duration_seconds"].flatMap { Int($0) }, source: source,
                                        label: "profile \(profile)")
    }
}
