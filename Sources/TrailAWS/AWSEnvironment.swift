import Foundation

/// What the credential chain and the region lookup read from the process: environment
/// variables, the home directory and the clock. Tests build one instead of mutating the process.
public struct AWSEnvironment: Sendable {
    public var variables: [String: String]
    /// The home directory, for `~/.aws/credentials` and `~/.aws/config`.
    public var home: String?
    /// The current time (injected so that expiry and refresh are testable).
    public var now: @Sendable () -> Date

    public init(variables: [String: String], home: String?, now: @escaping @Sendable () -> Date = { Date() }) {
        self.variables = variables
        self.home = home
        self.now = now
    }

    /// The process's environment, `$HOME` and the system clock.
    public static func process() -> AWSEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return AWSEnvironment(variables: variables, home: variables["HOME"] ?? NSHomeDirectory())
    }

    /// A variable's value, nil when unset or empty.
    /// Seconds to wait for the instance-metadata or container-credentials endpoint:
    /// `AWS_METADATA_SERVICE_TIMEOUT` (as the AWS SDKs read it) when it is a number from 1 to 300,
    /// else `fallback`.
    public func metadataServiceTimeout(fallback: Double) -> Double {
        guard let text = self["AWS_METADATA_SERVICE_TIMEOUT"], let seconds = Double(text), (1...300).contains(seconds) else { return fallback }
        return seconds
    }

    public subscript(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else `default`.
    public var profileName: String { self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default" }

    /// True when a profile was named explicitly (a missing one is then an error, not a skip).
    public var profileIsExplicit: Bool { self["AWS_PROFILE"] != nil || self["AWS_DEFAULT_PROFILE"] != nil }

    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    public var credentialsFile: String? { self["AWS_SHARED_CREDENTIALS_FILE"] ?? home.map { $0 + "/.aws/credentials" } }

    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    public var configFile: String? { self["AWS_CONFIG_FILE"] ?? home.map { $0 + "/.aws/config" } }

    /// Reads a small text file (a token or an INI file); nil when it does not exist.
    func readFile(_ path: String, what: String) throws(AWSError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AWSError(.badCredentials, operation: what, reason: "cannot read \(path)")
        }
        guard data.count <= 1 << 20 else {
            throw AWSError(.badCredentials, operation: what, reason: "\(path) is larger than 1 MiB")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
