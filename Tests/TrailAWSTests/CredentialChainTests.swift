import Foundation
import Synchronization
import TrailSync
import Testing

@testable import TrailAWS

/// Each source of the chain, faked locally: variables passed in (never the process's), files in
/// a temporary HOME, loopback stand-ins for STS, the container endpoint and IMDS.
@Suite struct CredentialChainTests {
    var transport: AsyncHTTPTransport { testTransport }
    /// A loopback port nothing listens on: IMDS "absent".
    /// IMDS on a closed port; the loopback stand-ins get 60 s (the defaults, 2 s for IMDS and 5 s
    /// for containers, failed in a loaded parallel run).
    static let closedIMDS = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9", "AWS_METADATA_SERVICE_TIMEOUT": "60"]

    func environment(_ variables: [String: String], home: TempHome?, clock: ManualClock = ManualClock()) -> AWSEnvironment {
        AWSEnvironment(variables: Self.closedIMDS.merging(variables) { _, new in new }, home: home?.path, now: clock.function)
    }

    @Test func environmentVariablesComeFirst() async throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.write(".aws/credentials", "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = s\n")
        let env = environment(["AWS_ACCESS_KEY_ID": "FROMENV", "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "t"], home: home)
        let credentials = try await CredentialChain.standard(environment: env, transport: transport).credentials()
        #expect(credentials.accessKeyID == "FROMENV")
        #expect(credentials.sessionToken == "t")
        #expect(credentials.source == "environment")
    }

    @Test func halfSetEnvironmentIsAnError() async throws {
        let env = environment(["AWS_ACCESS_KEY_ID": "FROMENV"], home: nil)
        await #expect(throws: AWSError.self) { try await CredentialChain.standard(environment: env, transport: transport).credentials() }
    }

    @Test func namedProfileWithStaticKeysAndRegionFromConfig() async throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.write(".aws/credentials", """
            # comment
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = d
            [dev]
            aws_access_key_id = DEVKEY
            aws_secret_access_key = dev-secret
            """)
        try home.write(".aws/config", "[profile dev]\nregion = eu-west-3\ns3 =\n  max_concurrent_requests = 4\n[default]\nregion = us-west-2\n")
        let env = environment(["AWS_PROFILE": "dev"], home: home)
        let credentials = try await CredentialChain.standard(environment: env, transport: transport).credentials()
        #expect(credentials.accessKeyID == "DEVKEY")
        #expect(credentials.secretAccessKey == "dev-secret")
        #expect(try AWSRegion.resolve(env) == "eu-west-3")
        #expect(try AWSRegion.resolve(environment([:], home: home)) == "us-west-2")
        #expect(try AWSRegion.resolve(environment(["AWS_DEFAULT_REGION": "ap-south-1", "AWS_PROFILE": "dev"], home: home)) == "ap-south-1")
        #expect(try AWSRegion.resolve(environment(["AWS_REGION": "sa-east-1", "AWS_DEFAULT_REGION": "ap-south-1"], home: home)) == "sa-east-1")
    }

    @Test func missingNamedProfileSaysWhatToSet() async throws {
        let home = try TempHome()
        defer { home.remove() }
        let env = environment(["AWS_PROFILE": "nope"], home: home)
        do throws(AWSError) {
            _ = try await CredentialChain.standard(environment: env, transport: transport).credentials()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .badCredentials)
            #expect(error.description.contains("nope"))
        }
    }

    @Test func roleArnWithSourceProfileAssumesRoleThroughSTS() async throws {
        let clock = ManualClock()
        let sts = try await LoopbackServer { request in
            .text(200, stsResponse(action: "AssumeRole", key: "ASSUMED", expiration: clock.now + 3600))
        }
        defer { Task { await sts.close() } }
        let home = try TempHome()
        defer { home.remove() }
        try home.write(".aws/credentials", "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = base-secret\n")
        try home.write(".aws/config", """
            [profile auditor]
            role_arn = arn:aws:iam::111122223333:role/Auditor
            source_profile = base
            external_id = ext-1
            region = eu-central-1
            """)
        let env = environment(["AWS_PROFILE": "auditor", "AWS_ENDPOINT_URL_STS": sts.url], home: home, clock: clock)
        let credentials = try await CredentialChain.standard(environment: env, transport: transport).credentials()
        #expect(credentials.accessKeyID == "ASSUMED")
        #expect(credentials.secretAccessKey == "s&ecret")
        #expect(credentials.sessionToken == "tok")
        #expect(credentials.expiration == Date(timeIntervalSince1970: (clock.now + 3600).timeIntervalSince1970.rounded(.down)))
        let request = try #require(sts.requests.first)
        let form = String(decoding: request.body, as: UTF8.self)
        #expect(form.contains("Action=AssumeRole"))
        #expect(form.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2FAuditor"))
        #expect(form.contains("ExternalId=ext-1"))
        #expect(request.header("Authorization")?.contains("Credential=BASEKEY/") == true)
        #expect(request.header("Authorization")?.contains("/eu-central-1/sts/aws4_request") == true)
    }

    @Test func sourceProfileLoopIsRefused() async throws {
        let home = try TempHome()
        defer { home.remove() }
        try home.write(".aws/config", """
            [profile a]
            role_arn = arn:aws:iam::1:role/A
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::1:role/B
            source_profile = a
            """)
        let env = environment(["AWS_PROFILE": "a", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9"], home: home)
        do throws(AWSError) {
            _ = try await CredentialChain.standard(environment: env, transport: transport).credentials()
            Issue.record("expected an error")
        } catch {
            #expect(error.reason.contains("loops"))
        }
    }

    @Test func webIdentityExchangesTheTokenUnsigned() async throws {
        let clock = ManualClock()
        let sts = try await LoopbackServer { _ in
            .text(200, stsResponse(action: "AssumeRoleWithWebIdentity", key: "WEBID", expiration: clock.now + 3600))
        }
        defer { Task { await sts.close() } }
        let home = try TempHome()
        defer { home.remove() }
        let tokenFile = try home.write("token", "eyJ.oidc.token\n")
        let env = environment(["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": "arn:aws:iam::1:role/Irsa",
                               "AWS_ROLE_SESSION_NAME": "pod-1", "AWS_ENDPOINT_URL_STS": sts.url], home: home, clock: clock)
        let credentials = try await CredentialChain.standard(environment: env, transport: transport).credentials()
        #expect(credentials.accessKeyID == "WEBID")
        let request = try #require(sts.requests.first)
        #expect(request.header("Authorization") == nil)
        let form = String(decoding: request.body, as: UTF8.self)
        #expect(form.contains("WebIdentityToken=eyJ.oidc.token&") || form.hasSuffix("WebIdentityToken=eyJ.oidc.token"))
        #expect(form.contains("RoleSessionName=pod-1"))
    }

    @Test func containerFullURIWithTokenFile() async throws {
        let clock = ManualClock()
        let endpoint = try await LoopbackServer { request in
            guard request.header("Authorization") == "Bearer pod-token" else { return .text(401, "no") }
            return .text(200, #"{"AccessKeyId":"CONTAINER","SecretAccessKey":"c","Token":"ct","Expiration":"\#(iso(clock.now + 7200))"}"#)
        }
        defer { Task { await endpoint.close() } }
        let home = try TempHome()
        defer { home.remove() }
        let tokenFile = try home.write("pod-token", "Bearer pod-token\n")
        let env = environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url + "/v1/credentials",
                               "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile], home: home, clock: clock)
        let credentials = try await CredentialChain.standard(environment: env, transport: transport).credentials()
        #expect(credentials.accessKeyID == "CONTAINER")
        #expect(credentials.sessionToken == "ct")
        #expect(endpoint.requests.map(\.path) == ["/v1/credentials"])
    }

    @Test func containerFullURIOverPlainHTTPToAnotherHostIsRefused() async throws {
        let env = environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://example.com/creds"], home: nil)
        do throws(AWSError) {
            _ = try await CredentialChain.standard(environment: env, transport: transport).credentials()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .badConfiguration)
        }
    }

    @Test func instanceMetadataV2() async throws {
        let clock = ManualClock()
        let imds = try await LoopbackServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                return request.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600" ? .text(200, "imds-session") : .text(400, "")
            case (_, _) where request.header("X-aws-ec2-metadata-token") != "imds-session":
                return .text(401, "")
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .text(200, "InstanceRole\n")
            case ("GET", "/latest/meta-data/iam/security-credentials/InstanceRole"):
                return .text(200, #"{"Code":"Success","AccessKeyId":"IMDSKEY","SecretAccessKey":"i","Token":"it","Expiration":"\#(iso(clock.now + 21600))"}"#)
            default:
                return .text(404, "")
            }
        }
        defer { Task { await imds.close() } }
        let env = environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url], home: nil, clock: clock)
        let credentials = try await CredentialChain.standard(environment: env, transport: transport).credentials()
        #expect(credentials.accessKeyID == "IMDSKEY")
        #expect(credentials.source == "IMDS")
        #expect(imds.requests.map(\.method) == ["PUT", "GET", "GET"])
    }

    @Test func nothingConfiguredSaysWhatToSet() async throws {
        let home = try TempHome()
        defer { home.remove() }
        do throws(AWSError) {
            _ = try await CredentialChain.standard(environment: environment([:], home: home), transport: transport).credentials()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .noCredentials)
            #expect(error.description.contains("AWS_ACCESS_KEY_ID"))
            #expect(error.description.contains("AWS_PROFILE"))
        }
    }

    /// A source that hands out numbered credentials valid for an hour of the manual clock.
    final class CountingProvider: CredentialProvider {
        let clock: ManualClock
        let loads = Mutex(0)
        let failing = Mutex(false)
        var name: String { "counting" }
        init(clock: ManualClock) { self.clock = clock }

        func load() async throws(AWSError) -> AWSCredentials? {
            if failing.locked({ $0 }) { throw AWSError(.transport, operation: "counting", reason: "down") }
            let n = loads.locked { $0 += 1; return $0 }
            return AWSCredentials(accessKeyID: "K\(n)", secretAccessKey: "s", sessionToken: "t", expiration: clock.now + 3600, source: name)
        }
    }

    @Test func refreshesBeforeExpiryByTheInjectedClock() async throws {
        let clock = ManualClock()
        let provider = CountingProvider(clock: clock)
        let chain = CredentialChain(providers: [provider], now: clock.function, refreshMargin: 300)
        #expect(try await chain.credentials().accessKeyID == "K1")
        clock.advance(3600 - 301)
        #expect(try await chain.credentials().accessKeyID == "K1")
        clock.advance(2)  // now inside the margin
        #expect(try await chain.credentials().accessKeyID == "K2")
        #expect(provider.loads.locked { $0 } == 2)

        // A failed refresh keeps serving credentials that have not expired yet ...
        provider.failing.locked { $0 = true }
        clock.advance(3600 - 100)
        #expect(try await chain.credentials().accessKeyID == "K2")
        // ... and fails once they have.
        clock.advance(200)
        await #expect(throws: AWSError.self) { try await chain.credentials() }
    }

    @Test func concurrentCallersShareOneLoad() async throws {
        let clock = ManualClock()
        let provider = CountingProvider(clock: clock)
        let chain = CredentialChain(providers: [provider], now: clock.function)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await chain.credentials().accessKeyID } }
            for try await key in group { #expect(key == "K1") }
        }
        #expect(provider.loads.locked { $0 } == 1)
    }
}
