import ADTWire
import DTDL
import HTTPTransport
import Logging
import PostgresNIO
import PostgresSupport

extension DeliveryWorker {
    /// The due deliveries grouped into POSTs: by hub and endpoint, in the order the hub queued
    /// the messages, at most the endpoint's `maxBatchSize` each (one each for an endpoint that
    /// is no longer configured).
    func batches(_ due: [Due]) -> [[Due]] {
        var keys: [String] = []
        var groups: [String: [Due]] = [:]
        for delivery in due {
            let key = delivery.message.hub + "\n" + delivery.endpoint
            if groups[key] == nil { keys.append(key) }
            groups[key, default: []].append(delivery)
        }
        var batches: [[Due]] = []
        for key in keys {
            let group = groups[key]!.sorted { $0.message.outboxID < $1.message.outboxID }
            let size = hubs[group[0].message.hub]?.endpoints[group[0].endpoint]?.maxBatchSize ?? 1
            for start in stride(from: 0, to: group.count, by: max(1, size)) {
                batches.append(Array(group[start..<min(start + max(1, size), group.count)]))
            }
        }
        return batches
    }

    /// POSTs one batch (deliveries to one endpoint of one hub) and records the outcome of each.
    func deliver(_ batch: [Due]) async {
        guard let first = batch.first else { return }
        let metadata: Logger.Metadata = [
            "endpoint": "\(first.endpoint)", "outboxIds": "\(batch.map(\.message.outboxID))",
            "attempt": "\(batch.map(\.attempts).max() ?? 0)",
        ]
        guard let hub = hubs[first.message.hub], let endpoint = hub.endpoints[first.endpoint] else {
            logger.notice(
                "delivery failed, will retry",
                metadata: metadata.merging(["reason": "the endpoint is not configured"]) { $1 })
            await record(batch, delivered: false, status: nil, error: "the endpoint is not configured")
            return
        }
        var items: [[UInt8]] = []
        var sent: [Due] = []
        var formless: [Due] = []
        for due in batch {
            if let item = Self.item(for: due.message, format: endpoint.format, hub: hub.configuration) {
                items.append(item)
                sent.append(due)
            } else {
                formless.append(due)
            }
        }
        // Nothing to send in this format (e.g. a twin change to Event Grid): done.
        if !formless.isEmpty {
            await record(formless, delivered: true, status: nil, error: "no \(endpoint.format.rawValue) form")
        }
        guard !sent.isEmpty else { return }
        if endpoint.format == .eventGrid {
            let (transport, logger, timeout) = (self.transport, self.logger, configuration.requestTimeout)
            let failure = await validation.validate("\(hub.configuration.key)/\(endpoint.name)") {
                await EventGridValidation.handshake(
                    to: endpoint, hub: hub.configuration, timeout: timeout, transport: transport, logger: logger)
            }
            if let failure {
                await record(sent, delivered: false, status: failure.status, error: failure.reason)
                return
            }
        }
        let outcome: (status: Int?, error: String?)
        do {
            let response = try await transport.send(
                Self.request(items, to: endpoint, timeout: configuration.requestTimeout))
            outcome = (response.status, response.isSuccess ? nil : "HTTP \(response.status)")
        } catch {
            if error is CancellationError || Task.isCancelled {
                // Shutting down: give the deliveries back so that the next run sends them at once.
                await release(sent)
                return
            }
            outcome = (nil, (error as? TransportError)?.kind.description ?? "\(type(of: error))")
        }
        if let error = outcome.error {
            logger.notice("delivery failed, will retry", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
            await record(sent, delivered: false, status: outcome.status, error: error)
        } else {
            logger.debug("delivered", metadata: metadata)
            await record(sent, delivered: true, status: outcome.status, error: nil)
        }
    }

    /// One message in the endpoint's format, or `nil` when the format cannot express it.
    static func item(for message: HubMessage, format: RouteEndpoint.Format, hub: HubConfiguration) -> [UInt8]? {
        let named = message.named(hub.name)
        switch format {
        case .eventHubsEnvelope: return named.eventHubsEnvelope
        case .eventGrid: return named.eventGridEvent(topic: hub.eventGridTopic)
        }
    }

    /// The POST of one message to an endpoint, or `nil` when the format cannot express it.
    static func request(for message: HubMessage, to endpoint: RouteEndpoint, hub: HubConfiguration, timeout: Duration)
        -> TransportRequest?
    {
        item(for: message, format: endpoint.format, hub: hub).map { request([$0], to: endpoint, timeout: timeout) }
    }

    /// The POST of `items` (messages in the endpoint's format) as one JSON array.
    static func request(_ items: [[UInt8]], to endpoint: RouteEndpoint, timeout: Duration) -> TransportRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]
        if endpoint.format == .eventGrid { headers["aeg-event-type"] = "Notification" }
        for (name, value) in endpoint.headers { headers[name] = value }
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (index, item) in items.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += item
        }
        body.append(UInt8(ascii: "]"))
        return TransportRequest(
            method: .post, url: endpoint.url, headers: headers, body: body, isIdempotent: true, timeout: timeout)
    }

    /// Records the outcome of deliveries to one endpoint; a failure schedules the next attempt
    /// after the backoff of the most-tried of them.
    func record(_ batch: [Due], delivered: Bool, status: Int?, error: String?) async {
        guard let first = batch.first else { return }
        let retry = configuration.backoff(afterAttempts: batch.map(\.attempts).max() ?? 1).seconds
        do {
            try await client.query(
                """
                UPDATE hub_deliveries SET last_status = \(status), last_error = \(error),
                    delivered_at = CASE WHEN \(delivered) THEN now() ELSE NULL END,
                    next_attempt_at = CASE WHEN \(delivered) THEN next_attempt_at ELSE now() + make_interval(secs => \(retry)) END
                WHERE outbox_id = ANY(\(batch.map(\.message.outboxID))) AND endpoint = \(first.endpoint)
                """, logger: logger)
        } catch {
            // The lease runs out and the messages are sent again: at least once.
            logger.warning("delivery outcome not recorded", metadata: ["error": "\(databaseErrorMessage(error))"])
        }
    }

    /// Ends the lease of deliveries that were interrupted, from a task that is not cancelled.
    func release(_ batch: [Due]) async {
        guard let first = batch.first else { return }
        let (client, logger) = (self.client, self.logger)
        await Task {
            _ = try? await client.query(
                """
                UPDATE hub_deliveries SET next_attempt_at = now()
                WHERE outbox_id = ANY(\(batch.map(\.message.outboxID))) AND endpoint = \(first.endpoint) AND delivered_at IS NULL
                """, logger: logger)
        }.value
    }
}
