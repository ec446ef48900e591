import TrailJSON

/// What a trail's event selectors log, as far as TrailWatch cares: whether read management
/// events of Secrets Manager (`GetSecretValue`, `BatchGetSecretValue`) are logged, and which data
/// event resource types are.
///
/// Read from the `requestParameters` of `PutEventSelectors`: basic `eventSelectors`
/// (`includeManagementEvents`, `readWriteType`, `excludeManagementEventSources`, `dataResources`)
/// or `advancedEventSelectors` (`eventCategory`, `readOnly`, `eventSource` and `resources.type`
/// field selectors; operators other than `equals`/`notEquals` are not interpreted and count as
/// logging).
struct SelectorCoverage: Equatable {
    static let secretsManager = "secretsmanager.amazonaws.com"

    /// Whether read-only management events of Secrets Manager are logged.
    var readManagement: Bool
    /// The data event resource types logged (`AWS::S3::Object`, …), sorted.
    var dataTypes: [String]

    /// The coverage a `PutEventSelectors` request asks for; nil when it has neither kind of selector.
    static func of(request: JSONValue?) -> SelectorCoverage? {
        guard let request, request.isObject else { return nil }
        if let advanced = request["advancedEventSelectors"], advanced.isArray {
            return ofAdvanced(advanced)
        }
        if let basic = request["eventSelectors"], basic.isArray {
            return ofBasic(basic)
        }
        return nil
    }

    /// The elements of an array member (none when it is missing or not an array).
    static func list(_ v: JSONValue?) -> [JSONValue] { v.map { Array($0.elements) } ?? [] }

    private static func ofBasic(_ selectors: JSONValue) -> SelectorCoverage {
        var read = false
        var types = Set<String>()
        for s in selectors.elements where s.isObject {
            let include = s["includeManagementEvents"]?.bool ?? true
            let rw = s["readWriteType"]?.string ?? "All"
            let excluded = s["excludeManagementEventSources"]?.elements.compactMap(\.string) ?? []
            if include, rw != "WriteOnly", !excluded.contains(secretsManager) { read = true }
            for r in list(s["dataResources"]) where r.isObject {
                // A data resource with no values logs nothing.
                if let type = r["type"]?.string, let values = r["values"], values.isArray, values.count > 0 {
                    types.insert(type)
                }
            }
        }
        return SelectorCoverage(readManagement: read, dataTypes: types.sorted())
    }

    private static func ofAdvanced(_ selectors: JSONValue) -> SelectorCoverage {
        var read = false
        var types = Set<String>()
        for s in selectors.elements where s.isObject {
            var fields: [String: (equals: [String]?, notEquals: [String])] = [:]
            for f in list(s["fieldSelectors"]) where f.isObject {
                guard let name = f["field"]?.string else { continue }
                let equals = f["equals"].flatMap { $0.isArray ? $0.elements.compactMap(\.string) : nil }
                let notEquals = f["notEquals"]?.elements.compactMap(\.string) ?? []
                fields[name] = (equals, notEquals)
            }
            let category = fields["eventCategory"]?.equals ?? []
            if category.contains("Management") {
                let readOnly = fields["readOnly"]
                let readsLogged = !(readOnly?.equals.map { !$0.contains("true") } ?? false) && !(readOnly?.notEquals.contains("true") ?? false)
                let source = fields["eventSource"]
                let sourceLogged = !(source?.equals.map { !$0.contains(secretsManager) } ?? false) && !(source?.notEquals.contains(secretsManager) ?? false)
                if readsLogged && sourceLogged { read = true }
            }
            if category.contains("Data") {
                for t in fields["resources.type"]?.equals ?? [] { types.insert(t) }
            }
        }
        return SelectorCoverage(readManagement: read, dataTypes: types.sorted())
    }
}
