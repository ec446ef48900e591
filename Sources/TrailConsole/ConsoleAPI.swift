import TrailModel
import TrailPresentation
import TrailStore

extension Console {
    /// Largest `limit` an API call accepts (the CLI's default is 100).
    static let apiMaxLimit = 10_000
    static let listParameters: Set<String> = ["since", "until", "account", "region", "limit"]
    /// The calls `api` answers (the part after `/api/`).
    static let apiCalls: Set<String> = ["status", "alerts", "query/access", "query/callers", "query/secrets", "query/secret", "query/pending-deletions"]

    /// `/api/…`: exactly what the matching command prints with `--format json`.
    /// `path` is the part after `/api/`; nil for an unknown call.
    func api(_ path: String, pairs: [(String, String)]) throws -> (body: String, lines: Bool)? {
        let json = ResultFormatter(format: .json)
        switch path {
        case "status":
            let q = try ConsoleRequest(pairs: pairs, allowed: ["limit"])
            let scope = try q.scope(now: clock(), defaultLimit: 100, maxLimit: Self.apiMaxLimit)
            return (try service().status(limit: scope.limit).render(json, inflater: inflater), false)
        case "alerts":
            let q = try ConsoleRequest(pairs: pairs, allowed: Self.listParameters.union(["rule", "severity"]))
            let service = service()
            let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: Self.apiMaxLimit)
            var list = try service.alerts(scope, rule: q["rule"], minimumSeverity: try q.severity())
            // Unlike the CLI (run by whoever can read the store), the console serves many people.
            list.jsonLines = list.jsonLines.map(Redaction.redactAlertLine)
            return (list.render(json), true)
        case "query/access":
            let q = try ConsoleRequest(pairs: pairs, allowed: Self.listParameters.union(["secret", "principal"]))
            let service = service()
            let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: Self.apiMaxLimit)
            return (json.render(try service.access(scope, AccessFilter(secret: q["secret"], principal: q["principal"]))), true)
        case "query/callers":
            let q = try ConsoleRequest(pairs: pairs, allowed: Self.listParameters.union(["secret"]))
            let service = service()
            let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: Self.apiMaxLimit)
            return (json.render(try service.callers(scope, secret: try q.required("secret"))), true)
        case "query/secrets":
            let q = try ConsoleRequest(pairs: pairs, allowed: Self.listParameters.union(["principal"]))
            let service = service()
            let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: Self.apiMaxLimit)
            return (json.render(try service.secrets(scope, principal: try q.required("principal"))), true)
        case "query/secret":
            let q = try ConsoleRequest(pairs: pairs, allowed: Self.listParameters.union(["name"]))
            let service = service()
            let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: Self.apiMaxLimit)
            let name = try q.required("name")
            guard let story = try service.secretStory(scope, secret: name) else {
                // The CLI prints nothing and notes it on stderr; a client over HTTP gets a 404.
                throw ConsoleError(.notFound, subject: "secret \"\(name.prefix(120))\"", message: "no secret in the store matches")
            }
            return (story.render(json), false)
        case "query/pending-deletions":
            let q = try ConsoleRequest(pairs: pairs, allowed: Self.listParameters)
            let service = service()
            let scope = try q.scope(now: service.now, defaultLimit: 100, maxLimit: Self.apiMaxLimit)
            return (json.render(try service.pendingDeletions(scope)), true)
        default:
            return nil
        }
    }
}
