import Foundation

/// The standard credential chain, in the standard order: environment variables, the profile
/// (`AWS_PROFILE` or `default`), web identity, container credentials, EC2 instance metadata.
///
/// The first source that yields credentials is remembered; temporary credentials are fetched
/// again from it `refreshMargin` seconds before they expire (by the injected clock). When a
/// refresh fails while the old credentials are still valid, the old ones are used and the
/// refresh is tried again on the next call. Concurrent callers share one refresh.
public actor CredentialChain {
    public let providers: [any CredentialProvider]
    public let now: @Sendable () -> Date
    /// Seconds before expiry at which credentials are refreshed.
    public let refreshMargin: TimeInterval
    private var cached: AWSCredentials?
    /// The index of the provider that yielded credentials.
    private var chosen: Int?
    private var inFlight: Task<Result<(Int, AWSCredentials), AWSError>, Never>?

    public init(providers: [any CredentialProvider], now: @escaping @Sendable () -> Date, refreshMargin: TimeInterval = 300) {
        self.providers = providers
        self.now = now
        self.refreshMargin = refreshMargin
    }

    /// The standard chain for `environment`.
    public static func standard(environment: AWSEnvironment, transport: any HTTPTransport) -> CredentialChain {
        CredentialChain(providers: [
            EnvironmentCredentialProvider(environment: environment),
            ProfileCredentialProvider(environment: environment, transport: transport),
            WebIdentityCredentialProvider(environment: environment, transport: transport),
            ContainerCredentialProvider(environment: environment, transport: transport),
            InstanceMetadataCredentialProvider(environment: environment, transport: transport),
        ], now: environment.now)
    }

    /// Valid credentials, loading or refreshing them when needed.
    public func credentials() async throws(AWSError) -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        let task: Task<Result<(Int, AWSCredentials), AWSError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let providers = chosen.map { [self.providers[$0]] } ?? self.providers
            let offset = chosen ?? 0
            task = Task {
                await Self.firstCredentials(from: providers).map { ($0.0 + offset, $0.1) }
            }
            inFlight = task
        }
        let result = await task.value
        if inFlight == task { inFlight = nil }
        switch result {
        case let .success((index, credentials)):
            cached = credentials
            chosen = index
            return credentials
        case let .failure(error):
            if let cached, let expiration = cached.expiration, expiration > now() { return cached }
            throw error
        }
    }

    private func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(now()) <= refreshMargin
    }

    private static func firstCredentials(from providers: [any CredentialProvider]) async -> Result<(Int, AWSCredentials), AWSError> {
        do throws(AWSError) {
            for (index, provider) in providers.enumerated() {
                if let credentials = try await provider.load() { return .success((index, credentials)) }
            }
        } catch {
            return .failure(error)
        }
        return .failure(AWSError(
            .noCredentials, operation: "AWS credentials",
            reason: "none found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (with ~/.aws/credentials or ~/.aws/config), or run with a role (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, container credentials, an EC2 instance profile)"))
    }
}

/// The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region`.
public enum AWSRegion {
    public static func resolve(_ environment: AWSEnvironment) throws(AWSError) -> String? {
        if let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] { return region }
        return try ProfileFiles.load(environment).profiles[environment.profileName]?["region"]
    }
}
