import Foundation
import Synchronization
import TrailSync
import TrailAWS
import TrailIngest
import TrailPipeline

/// `tail s3://… --sqs-queue-url URL`: S3 event notifications (raw, SNS-wrapped, or CloudTrail's
/// own SNS notifications) received by long poll on a background task, their objects handed to
/// the pipeline, and each message deleted only once every object it names has committed (or was
/// already in the ledger).
///
/// - Messages are received with `visibility` seconds of visibility, extended every third of it
///   while any object they name is still in hand.
/// - `s3:TestEvent`, digest keys and unknown keys (outside the tailed locations, Insight files,
///   objects that no longer exist) are acknowledged (deleted) and counted.
/// - A body that cannot be read is logged with its message id and left on the queue: it comes
///   back after its visibility timeout and, with a redrive policy, ends in the dead-letter queue,
///   where an operator can read it. Deleting it would drop the only record of what it named.
/// - A message naming an object that failed is not deleted either; it returns, the object is
///   tried again, and a redrive policy bounds the attempts.
/// - On stop, the messages in hand are made visible again at once (their objects are not yet
///   committed); after `kill -9` they return when their visibility timeout ends.
final class SQSFeed: TailFeed {
    let client: SQSClient
    let source: S3Source
    let locations: [S3Location]
    let counters: SQSCounters
    let visibility: Int
    let log: @Sendable (String) -> Void

    /// Shared with the receiver and heartbeat tasks.
    private let shared = Shared()
    private var receiver: Task<Void, Never>?
    private var heartbeat: Task<Void, Never>?

    private struct Pending {
        var message: SQSClient.Message
        var paths: Set<String>
        var failures: [String] = []
    }
    private var pending: [String: Pending] = [:]
    private var waiting: [String: [String]] = [:]

    /// Messages received ahead of the pipeline at most (back-pressure on the receiver).
    static let maxInHand = 100
    /// Per-key diagnostics written for one message; the rest are summed in one line.
    static let keysLogged = 5

    init(client: SQSClient, source: S3Source, locations: [S3Location], counters: SQSCounters, visibility: Int,
         log: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.source = source
        self.locations = locations
        self.counters = counters
        self.visibility = visibility
        self.log = log
    }

    func due() async throws(PipelineError) -> [DiscoveredFile] {
        if receiver == nil { start() }
        let (messages, fatal, receivedOnce) = shared.inbox.locked { inbox in
            defer { inbox.messages.removeAll() }
            return (inbox.messages, inbox.fatal, inbox.receivedOnce)
        }
        if let fatal, !receivedOnce { throw PipelineError(.file, "\(fatal)") }
        guard !messages.isEmpty else { return [] }

        var acknowledged: [SQSClient.Message] = []
        var files: [String: DiscoveredFile] = [:]
        for message in messages {
            counters.update { $0.received += 1 }
            let notification: S3Notification
            do {
                notification = try S3Notification.parse(message.body, messageID: message.id)
            } catch {
                counters.update { $0.rejected += 1 }
                log("\(error); left on the queue for its redrive policy"
                    + (message.receiveCount.map { " (received \($0) times)" } ?? ""))
                continue
            }
            guard case let .objects(named) = notification else {
                counters.update { $0.testEvents += 1 }
                acknowledged.append(message)
                continue
            }
            var paths: Set<String> = []
            var failures: [String] = []
            var gone = 0
            // Extended from receipt: resolving many keys may take longer than the visibility.
            shared.held.locked { $0[message.id] = message }
            for item in named {
                switch S3KeyKind.classify(bucket: item.bucket, key: item.key, locations: locations) {
                case .digest: counters.update { $0.digestKeys += 1 }
                case .unknown: counters.update { $0.unknownKeys += 1 }
                case .log:
                    do {
                        guard let object = try await resolve(item) else {
                            counters.update { $0.unknownKeys += 1 }
                            gone += 1
                            if gone <= Self.keysLogged { log("SQS message \(message.id): s3://\(item.bucket)/\(item.key) no longer exists; acknowledged") }
                            continue
                        }
                        files[object.path] = source.register(object)
                        paths.insert(object.path)
                    } catch {
                        failures.append("\(error)")
                    }
                }
            }
            if gone > Self.keysLogged { log("SQS message \(message.id): \(gone - Self.keysLogged) more keys no longer exist; acknowledged") }
            if paths.isEmpty && failures.isEmpty {
                shared.held.locked { $0[message.id] = nil }
                acknowledged.append(message)
                continue
            }
            pending[message.id] = Pending(message: message, paths: paths, failures: failures)
            for path in paths { waiting[path, default: []].append(message.id) }
        }
        await delete(acknowledged)
        await settle()
        return ArchiveWalker.ordered(Array(files.values))
    }

    func ingested(_ reports: [FileReport]) async {
        for report in reports {
            for id in waiting.removeValue(forKey: report.path) ?? [] {
                pending[id]?.paths.remove(report.path)
                if report.status == .failed { pending[id]?.failures.append(report.reason ?? "\(report.path) failed") }
            }
        }
        source.forget(reports.map(\.path))
        await settle()
    }

    func finish() async {
        receiver?.cancel()
        heartbeat?.cancel()
        // In hand or not yet taken: visible again at once, for the next run.
        let left = shared.held.locked { Array($0.values) } + shared.inbox.locked { $0.messages }
        if !left.isEmpty { _ = try? await client.changeVisibility(left, seconds: 0) }
    }

    /// Deletes messages whose objects are all handled; gives up on those with a failure.
    private func settle() async {
        var done: [SQSClient.Message] = []
        for (id, entry) in pending where entry.paths.isEmpty {
            pending[id] = nil
            shared.held.locked { $0[id] = nil }
            if entry.failures.isEmpty {
                done.append(entry.message)
            } else {
                counters.update { $0.retained += 1 }
                log("SQS message \(id) not deleted, it returns after its visibility timeout: " + entry.failures.joined(separator: "; "))
            }
        }
        if !done.isEmpty {
            counters.update { $0.deleted += done.count }
        }
        await delete(done)
    }

    private func delete(_ messages: [SQSClient.Message]) async {
        guard !messages.isEmpty else { return }
        do {
            for failure in try await client.delete(messages) {
                log("SQS message \(failure.id) could not be deleted (it will return; the ledger makes it free): \(failure.reason)")
            }
        } catch {
            log("\(error); those messages will return (the ledger makes them free)")
        }
    }

    /// The object's listed identity: from the notification when it carries size and ETag, else
    /// from a one-key listing (CloudTrail's notifications name keys only). Nil when it is gone.
    private func resolve(_ item: S3NotificationObject) async throws(AWSError) -> S3Source.Object? {
        if let size = item.size, let etag = item.etag, !etag.isEmpty {
            let quoted = etag.hasPrefix("\"") ? etag : "\"\(etag)\""
            return S3Source.Object(bucket: item.bucket, key: item.key, size: size, etag: quoted)
        }
        let page = try await source.client.listObjects(bucket: item.bucket, prefix: item.key, delimiter: nil, continuationToken: nil, maxKeys: 1)
        guard let listed = page.objects.first(where: { $0.key == item.key }) else { return nil }
        return S3Source.Object(bucket: item.bucket, key: listed.key, size: listed.size, etag: listed.etag)
    }

    private func start() {
        let client = self.client
        let shared = self.shared
        let maxInHand = Self.maxInHand
        let visibility = self.visibility
        let log = self.log
        receiver = Task.detached {
            var failures = 0
            while !Task.isCancelled {
                let backlog = shared.inbox.locked { $0.messages.count } + shared.held.locked { $0.count }
                if backlog >= maxInHand {
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                do throws(AWSError) {
                    let messages = try await client.receive(maxMessages: 10, waitSeconds: 20, visibilityTimeout: visibility)
                    failures = 0
                    shared.inbox.locked {
                        $0.receivedOnce = true
                        $0.messages += messages
                    }
                } catch {
                    if Task.isCancelled { return }
                    let fatal = shared.inbox.locked { inbox -> Bool in
                        guard !inbox.receivedOnce, [.badConfiguration, .accessDenied, .noCredentials, .badCredentials].contains(error.code) else { return false }
                        inbox.fatal = error
                        return true
                    }
                    if fatal { return }
                    failures += 1
                    let wait = min(30.0, Double(1 << min(failures, 5)))
                    log("\(error); receiving again in \(Int(wait)) s")
                    try? await Task.sleep(for: .seconds(wait))
                }
            }
        }
        heartbeat = Task.detached {
            let period = max(1.0, Double(visibility) / 3)
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int64(period * 1000)))
                if Task.isCancelled { return }
                let inHand = shared.held.locked { Array($0.values) }
                guard !inHand.isEmpty else { continue }
                do throws(AWSError) {
                    for failure in try await client.changeVisibility(inHand, seconds: visibility) {
                        log("SQS message \(failure.id): visibility not extended: \(failure.reason)")
                    }
                } catch {
                    log("\(error); visibility not extended")
                }
            }
        }
    }
}

extension SQSFeed {
    /// State the receiver and heartbeat tasks share with the service loop.
    final class Shared: Sendable {
        /// Messages received and not yet taken by the service loop, and how the receiver ended.
        struct Inbox {
            var messages: [SQSClient.Message] = []
            var fatal: AWSError?
            var receivedOnce = false
        }
        let inbox = Mutex(Inbox())
        /// Messages whose objects are in hand, by id: the heartbeat extends their visibility.
        let held = Mutex<[String: SQSClient.Message]>([:])
    }
}
