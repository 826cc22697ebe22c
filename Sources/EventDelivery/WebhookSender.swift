import ADTWire
import EventRoutes
import Foundation
import HTTPTransport

/// POSTs notifications to a webhook: CloudEvents in structured mode (one event per POST as
/// `application/cloudevents+json`, or a batch as `application/cloudevents-batch+json`), or a
/// JSON array in Event Grid's event schema.
///
/// With `validationHandshake`, the receiver is first asked whether it accepts deliveries, as
/// Event Grid asks a webhook: CloudEvents' abuse protection (an `OPTIONS` request with
/// `WebHook-Request-Origin`, answered with `WebHook-Allowed-Origin`), or for the Event Grid schema
/// a `Microsoft.EventGrid.SubscriptionValidationEvent` whose code the answer must echo as
/// `validationResponse`. Until it has accepted, deliveries wait and are retried.
struct WebhookSender: EventSender {
    /// The origin this gateway names in the abuse-protection request.
    static let requestOrigin = "eventgrid.azure.net"

    let webhook: EndpointTarget.Webhook
    let http: HTTPSending
    let handshake = HandshakeState()

    var maxBatchSize: Int { webhook.maxBatchSize }

    func send(_ events: [PendingEvent]) async -> String? {
        if webhook.validationHandshake, let failure = await validated() { return failure }
        var headers = HTTPHeaders()
        let body: [UInt8]
        switch webhook.schema {
        case .cloudEvents where events.count == 1 && webhook.maxBatchSize == 1:
            headers["Content-Type"] = "application/cloudevents+json; charset=utf-8"
            body = Array(events[0].text.utf8)
        case .cloudEvents:
            headers["Content-Type"] = "application/cloudevents-batch+json; charset=utf-8"
            body = jsonArray(events.map { Array($0.text.utf8) })
        case .eventGrid:
            headers["Content-Type"] = "application/json; charset=utf-8"
            headers["aeg-event-type"] = "Notification"
            body = jsonArray(
                events.map {
                    JSONWriter.bytes(NotificationFormat.eventGridEvent($0.object, fallbackTime: $0.createdAt))
                })
        }
        for (name, value) in webhook.headers.sorted(by: { $0.key < $1.key }) { headers[name] = value }
        return await http.post(webhook.url, headers: headers, body: body)
    }

    /// `nil` once the receiver has accepted deliveries, else why not.
    private func validated() async -> String? {
        await handshake.run {
            switch webhook.schema {
            case .cloudEvents: return await abuseProtection()
            case .eventGrid: return await subscriptionValidation()
            }
        }
    }

    private func abuseProtection() async -> String? {
        var headers: HTTPHeaders = ["WebHook-Request-Origin": Self.requestOrigin, "WebHook-Request-Rate": "120"]
        for (name, value) in webhook.headers.sorted(by: { $0.key < $1.key }) { headers[name] = value }
        let (response, failure) = await http.send(webhook.url, headers: headers, body: nil, method: .options)
        if let failure { return "validation handshake: " + failure }
        let allowed = response?.headers["WebHook-Allowed-Origin"] ?? ""
        guard allowed == "*" || allowed.lowercased() == Self.requestOrigin else {
            return "validation handshake: the answer has no WebHook-Allowed-Origin: \(Self.requestOrigin)"
        }
        return nil
    }

    private func subscriptionValidation() async -> String? {
        let code = UUID().uuidString.lowercased()
        let event: JSONValue = [
            "id": .string(UUID().uuidString.lowercased()), "subject": "",
            "data": ["validationCode": .string(code)],
            "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
            "eventTime": .string(UTCTimestamp.now()), "metadataVersion": "1", "dataVersion": "2",
        ]
        var headers: HTTPHeaders = [
            "Content-Type": "application/json; charset=utf-8", "aeg-event-type": "SubscriptionValidation",
        ]
        for (name, value) in webhook.headers.sorted(by: { $0.key < $1.key }) { headers[name] = value }
        let (response, failure) = await http.send(
            webhook.url, headers: headers, body: JSONWriter.bytes(.array([event])))
        if let failure { return "validation handshake: " + failure }
        let echoed = response.flatMap { try? JSONParser.parse($0.body) }?["validationResponse"]?.stringValue
        guard echoed?.lowercased() == code else {
            return "validation handshake: the answer does not echo the validationCode as validationResponse"
        }
        return nil
    }
}

/// Whether an endpoint's handshake has passed, shared by the deliveries to it: one handshake at
/// a time, and a failed one is not repeated within ``failureHold`` (the deliveries meanwhile
/// fail with its reason and are retried with their backoff).
actor HandshakeState {
    static let failureHold: Duration = .seconds(2)

    private var passed = false
    private var lastFailure: (reason: String, at: ContinuousClock.Instant)?
    private var running: Task<String?, Never>?

    func run(_ handshake: @escaping @Sendable () async -> String?) async -> String? {
        if passed { return nil }
        if let running { return await running.value }
        if let lastFailure, ContinuousClock.now - lastFailure.at < Self.failureHold { return lastFailure.reason }
        let task = Task { await handshake() }
        running = task
        let failure = await task.value
        running = nil
        if let failure { lastFailure = (failure, .now) } else { passed = true }
        return failure
    }
}
