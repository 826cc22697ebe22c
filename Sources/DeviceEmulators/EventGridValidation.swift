import ADTWire
import DTDL
import Foundation
import HTTPTransport
import Logging

/// Event Grid's subscription-validation handshake, done before the first delivery to each
/// `eventgrid` endpoint, as Event Grid does before it creates a webhook subscription.
///
/// The endpoint receives a JSON array with one `Microsoft.EventGrid.SubscriptionValidationEvent`
/// (`data.validationCode`, header `aeg-event-type: SubscriptionValidation`) and must answer
/// 2xx with `{"validationResponse": "<the code>"}`. Until it has, its deliveries stay in the
/// queue and are retried with the usual backoff, so nothing is lost. The event carries no
/// `validationUrl`: manual validation is not offered.
///
/// Validation is remembered for the life of the process. Concurrent deliveries to an endpoint
/// share one handshake, and a failed handshake is not repeated for ``failureHold``: the
/// deliveries that arrive meanwhile fail with its reason.
actor EventGridValidation {
    /// How long a failed handshake stands before the next delivery tries again.
    static let failureHold: Duration = .seconds(5)

    /// Why a handshake failed: the answer's status (if any) and a reason for the delivery log.
    struct Failure: Error, Sendable {
        let status: Int?
        let reason: String
    }

    private var validated: Set<String> = []
    private var inFlight: [String: Task<Failure?, Never>] = [:]
    private var failures: [String: (failure: Failure, at: ContinuousClock.Instant)] = [:]

    /// `nil` once endpoint `key` has been validated (by this call, or earlier), else why not.
    func validate(_ key: String, handshake: @escaping @Sendable () async -> Failure?) async -> Failure? {
        if validated.contains(key) { return nil }
        if let task = inFlight[key] { return await task.value }
        if let last = failures[key], ContinuousClock.now - last.at < Self.failureHold { return last.failure }
        let task = Task { await handshake() }
        inFlight[key] = task
        let failure = await task.value
        inFlight[key] = nil
        if let failure {
            failures[key] = (failure, .now)
        } else {
            validated.insert(key)
            failures[key] = nil
        }
        return failure
    }

    /// Sends the validation event to `endpoint` and checks the echo.
    static func handshake(
        to endpoint: RouteEndpoint, hub: HubConfiguration, timeout: Duration, transport: any Transport, logger: Logger
    ) async -> Failure? {
        let code = UUID().uuidString.lowercased()
        let request = Self.request(to: endpoint, hub: hub, code: code, timeout: timeout)
        let failure: Failure?
        do {
            let response = try await transport.send(request)
            failure = check(response, code: code)
        } catch {
            failure = Failure(
                status: nil,
                reason: "subscription validation: "
                    + ((error as? TransportError)?.kind.description ?? "\(type(of: error))"))
        }
        if let failure {
            logger.warning(
                "Event Grid subscription validation failed; deliveries to the endpoint wait",
                metadata: ["endpoint": "\(endpoint.name)", "reason": "\(failure.reason)"])
        } else {
            logger.info("Event Grid subscription validated", metadata: ["endpoint": "\(endpoint.name)"])
        }
        return failure
    }

    /// The POST of a validation event carrying `code`.
    static func request(to endpoint: RouteEndpoint, hub: HubConfiguration, code: String, timeout: Duration)
        -> TransportRequest
    {
        let event: JSONValue = [
            "id": .string(UUID().uuidString.lowercased()),
            "topic": .string(hub.eventGridTopic),
            "subject": "",
            "data": ["validationCode": .string(code)],
            "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
            "eventTime": .string(EmulatorTime.iso(Date())),
            "metadataVersion": "1",
            "dataVersion": "2",
        ]
        var headers: HTTPHeaders = [
            "Content-Type": "application/json; charset=utf-8", "aeg-event-type": "SubscriptionValidation",
        ]
        for (name, value) in endpoint.headers { headers[name] = value }
        return TransportRequest(
            method: .post, url: endpoint.url, headers: headers, body: JSONWriter.bytes(.array([event])),
            isIdempotent: true, timeout: timeout)
    }

    /// `nil` when the answer is 2xx and echoes `code` as `validationResponse`.
    static func check(_ response: TransportResponse, code: String) -> Failure? {
        guard response.isSuccess else {
            return Failure(status: response.status, reason: "subscription validation: HTTP \(response.status)")
        }
        guard let answer = (try? JSONParser.parse(response.body))?["validationResponse"]?.stringValue else {
            return Failure(
                status: response.status, reason: "subscription validation: the answer has no validationResponse")
        }
        guard answer.lowercased() == code else {
            return Failure(
                status: response.status, reason: "subscription validation: validationResponse is not the code sent")
        }
        return nil
    }
}
