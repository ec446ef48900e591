import TrailJSON

/// The body a sink sends for one alert.
public enum AlertFormat: String, Sendable, CaseIterable {
    /// The alert's own JSON object (the README's "Alerts" section).
    case json
    /// An OCSF Detection Finding (class 2004), see ``OCSFFinding``.
    case ocsf

    /// The body for `sink` of the stored alert line `alertJSON`: Slack's payload for Slack sinks,
    /// else this format. Always one line of compact JSON.
    public func body(for sink: SinkSpec.Kind, alertJSON: String) -> [UInt8] {
        if sink == .slack { return SlackPayload.render(alertJSON: alertJSON) }
        switch self {
        case .json:
            let bytes = Array(alertJSON.utf8)
            return JSONCompactor.hasLayout(bytes) ? JSONCompactor.compact(bytes) : bytes
        case .ocsf:
            return OCSFFinding.render(alertJSON: alertJSON)
        }
    }
}
