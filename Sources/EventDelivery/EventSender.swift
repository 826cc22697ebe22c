import ADTWire
import EventRoutes
import Foundation
import HTTPTransport
import Logging
import PostgresNIO

/// A notification due to an endpoint.
struct PendingEvent: Sendable {
    /// Its place in the partition's order.
    let seq: Int64
    /// The CloudEvent as the outbox holds it.
    let text: String
    /// When the change was written, RFC 3339.
    let createdAt: String

    /// The CloudEvent, parsed (an unreadable row reads as an empty object).
    var object: JSONObject {
        if case .object(let object)? = try? JSONParser.parse(text) { return object }
        return JSONObject()
    }
}

/// Sends batches of notifications to one endpoint.
protocol EventSender: Sendable {
    /// Sends `events` (in order, one partition's); `nil` when the endpoint took them all, else why
    /// not (for the delivery log and `last_error`), and they are tried again later.
    func send(_ events: [PendingEvent]) async -> String?
    /// The most events one ``send(_:)`` takes.
    var maxBatchSize: Int { get }
}

/// The senders of the configured endpoints.
enum EventSenders {
    /// A sender per endpoint, by name. An endpoint whose settings are wrong (the endpoints file
    /// is checked before the gateway starts, so only one made in code) gets a sender that fails
    /// with the reason.
    static func make(
        _ endpoints: [EventEndpoint], database: PostgresClient, transport: any Transport, timeout: Duration,
        logger: Logger
    ) -> [String: any EventSender] {
        var senders: [String: any EventSender] = [:]
        for endpoint in endpoints {
            let http = HTTPSending(transport: transport, timeout: timeout, endpoint: endpoint.name, logger: logger)
            let target: EndpointTarget
            do {
                target = try EndpointTarget(endpoint)
            } catch {
                senders[endpoint.name] = UnavailableSender(reason: error.description)
                continue
            }
            switch target {
            case .webhook(let webhook): senders[endpoint.name] = WebhookSender(webhook: webhook, http: http)
            case .eventGrid(let topic): senders[endpoint.name] = EventGridSender(topic: topic, http: http)
            case .messaging(let entity): senders[endpoint.name] = MessagingSender(entity: entity, http: http)
            case .mqtt(let broker):
                senders[endpoint.name] = MQTTSender(
                    broker: broker, endpoint: endpoint.name, timeout: timeout, logger: logger)
            case .digitalTwins(let instance):
                do {
                    senders[endpoint.name] = try DigitalTwinsSender(
                        endpoint: endpoint.name, instance: instance, database: database, transport: transport,
                        timeout: timeout, logger: logger)
                } catch {
                    senders[endpoint.name] = UnavailableSender(reason: "\(error)")
                }
            }
        }
        return senders
    }
}

/// An endpoint this version cannot deliver to: its notifications wait, and become dead
/// letters after the time to live.
struct UnavailableSender: EventSender {
    let reason: String
    var maxBatchSize: Int { 100 }
    func send(_ events: [PendingEvent]) async -> String? { reason }
}

/// One POST to an endpoint, with the outcome as a sender reports it.
struct HTTPSending: Sendable {
    let transport: any Transport
    let timeout: Duration
    let endpoint: String
    let logger: Logger

    /// `nil` for a 2xx answer, else the status or the transport's failure.
    func post(_ url: String, headers: HTTPHeaders, body: [UInt8], method: HTTPMethod = .post) async -> String? {
        await send(url, headers: headers, body: body, method: method).failure
    }

    /// The answer, or the failure as a message.
    func send(_ url: String, headers: HTTPHeaders, body: [UInt8]?, method: HTTPMethod = .post) async
        -> (response: TransportResponse?, failure: String?)
    {
        let request = TransportRequest(
            method: method, url: url, headers: headers, body: body, isIdempotent: true, timeout: timeout)
        do {
            let response = try await transport.send(request)
            if response.isSuccess { return (response, nil) }
            var reason = "HTTP \(response.status)"
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            if !text.isEmpty { reason += ": " + text }
            return (response, reason)
        } catch let error as TransportError {
            return (nil, error.description)
        } catch {
            return (nil, "\(type(of: error))")
        }
    }
}

/// JSON texts as one JSON array.
func jsonArray(_ items: [[UInt8]]) -> [UInt8] {
    var body: [UInt8] = [UInt8(ascii: "[")]
    for (index, item) in items.enumerated() {
        if index > 0 { body.append(UInt8(ascii: ",")) }
        body += item
    }
    body.append(UInt8(ascii: "]"))
    return body
}
