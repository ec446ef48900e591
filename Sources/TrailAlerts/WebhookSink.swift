import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// POSTs each alert as a JSON body to a webhook (Slack-compatible relays, SOAR endpoints, ...).
///
/// Delivery runs on a background queue so that a slow endpoint never holds up ingestion; failures
/// are reported on standard error without the URL's query or the token. The bearer token, when
/// given, is sent in the `Authorization` header and never printed.
public final class WebhookSink: AlertSink, @unchecked Sendable {
    private let url: URL
    private let token: String?
    private let session: URLSession
    private let queue = DispatchQueue(label: "trailwatch.webhook")
    private let pending = DispatchGroup()

    public init(url: URL, token: String?, timeout: TimeInterval = 10) {
        self.url = url
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    /// The URL without credentials, query or fragment, safe to print.
    public var redactedURL: String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.user = nil
        components?.password = nil
        components?.query = nil
        components?.fragment = nil
        return components?.string ?? "<webhook>"
    }

    public func emit(_ jsonLine: String) {
        var draft = URLRequest(url: url)
        draft.httpMethod = "POST"
        draft.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { draft.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        draft.httpBody = Data(jsonLine.utf8)
        let target = redactedURL
        let request = draft
        pending.enter()
        queue.async { [session, pending] in
            let done = DispatchSemaphore(value: 0)
            session.dataTask(with: request) { _, response, error in
                if let error {
                    FileHandle.standardError.write(Data("trailwatch: webhook \(target) failed: \(error.localizedDescription)\n".utf8))
                } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                    FileHandle.standardError.write(Data("trailwatch: webhook \(target) answered HTTP \(http.statusCode)\n".utf8))
                }
                done.signal()
            }.resume()
            done.wait()
            pending.leave()
        }
    }

    /// Deliveries run in the background; nothing to do per file.
    public func flush() {}

    /// Waits (up to the request timeout per alert) for queued deliveries.
    public func close() {
        pending.wait()
    }
}
