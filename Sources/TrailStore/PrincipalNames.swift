/// Name helpers for principal identifiers (ARNs and the rest).
package enum PrincipalNames {
    /// The last path element of an ARN's resource (`app-payments` for
    /// `arn:aws:iam::1:role/path/app-payments`), or the whole id when it is not an ARN.
    package static func shortName(of id: String) -> String {
        let parts = id.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return id }
        let resource = parts[5]
        if let slash = resource.lastIndex(of: "/") { return String(resource[resource.index(after: slash)...]) }
        return String(resource)
    }
}
