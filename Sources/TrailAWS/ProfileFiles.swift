import Foundation

/// `~/.aws/credentials` and `~/.aws/config` parsed: sections of `key = value` settings.
///
/// In the credentials file a section is the profile name; in the config file it is
/// `[profile NAME]`, except `[default]`. Settings from both files are merged, the credentials
/// file winning, as the AWS CLI does. Comments (`#`, `;`) and nested sub-sections (indented
/// lines, used for `s3 =` blocks) are ignored.
public struct ProfileFiles: Sendable {
    /// Settings per profile name, keys lower-cased.
    public var profiles: [String: [String: String]]

    public init(profiles: [String: [String: String]] = [:]) { self.profiles = profiles }

    /// Reads both files named by `environment` (either may be missing).
    public static func load(_ environment: AWSEnvironment) throws(AWSError) -> ProfileFiles {
        var files = ProfileFiles()
        if let path = environment.configFile, let text = try environment.readFile(path, what: "AWS config file") {
            for (section, settings) in parse(text) {
                let name: String
                if section == "default" { name = "default" }
                else if section.hasPrefix("profile ") { name = section.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces) }
                else { continue }
                files.profiles[name, default: [:]].merge(settings) { _, new in new }
            }
        }
        if let path = environment.credentialsFile, let text = try environment.readFile(path, what: "AWS credentials file") {
            for (section, settings) in parse(text) {
                files.profiles[section, default: [:]].merge(settings) { _, new in new }
            }
        }
        return files
    }

    /// Sections in file order with their settings.
    static func parse(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { continue }
                let name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                sections.append((name, [:]))
                continue
            }
            // Indented lines continue a nested block (`s3 =\n  max_concurrent_requests = 4`).
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            guard !sections.isEmpty, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[sections.count - 1].1[key] = value
        }
        return sections
    }
}
