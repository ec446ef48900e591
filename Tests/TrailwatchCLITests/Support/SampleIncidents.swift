import Foundation

/// `Fixtures/sample-incidents.json`, written by `Scripts/make-sample-logs.py` together with `SampleLogs/`.
struct SampleIncidents: Decodable {
    struct Incident: Decodable {
        var kind: String
        var title: String
        /// The severity the rules promise for this incident, when the detection issue fixes one.
        var severity: String?
        /// At least one alert must carry one of these eventIDs.
        var eventIDs: [String]
        /// Context records that may also alert (service events that follow a deletion, the sign-in before a root read...).
        var relatedEventIDs: [String]
        var eventName: String
        var eventTime: String
        var account: String
        var region: String
        /// The acting principal's stable id (role ARN, user ARN, root ARN); nil for service events.
        var principal: String?
        /// The secret's full ARN; nil when the incident concerns several secrets or a KMS key.
        var secret: String?
    }

    var logFiles: Int
    var digestFiles: Int
    var records: Int
    var distinctEventIDs: Int
    var duplicateEventID: String
    var incidents: [Incident]

    static func load() throws -> SampleIncidents {
        try JSONDecoder().decode(SampleIncidents.self, from: Fixtures.data("sample-incidents.json"))
    }

    /// The incident of kind `kind`.
    func incident(_ kind: String) -> Incident? { incidents.first { $0.kind == kind } }

    /// Every eventID an alert may carry.
    var allowedEventIDs: Set<String> { Set(incidents.flatMap { $0.eventIDs + $0.relatedEventIDs }) }
}
