import ADTWire
import DTDL
import Logging

/// An IoT Hub message as read from Event Hubs (an IoT Hub route's endpoint), in the JSON
/// envelope the functions accept. The host that reads Event Hubs (AMQP) writes one of these
/// per message; a batch is a JSON array of them.
///
/// ```json
/// {"properties": {"opType": "deleteDeviceIdentity", "hubName": "myhub", "deviceId": "thermostat-67",
///                 "operationTimestamp": "2022-05-27T18:49:38.4904785Z",
///                 "iothub-message-schema": "deviceLifecycleNotification"},
///  "systemProperties": {"iothub-connection-device-id": "thermostat-67",
///                       "iothub-enqueuedtime": 1653677378534,
///                       "iothub-message-source": "deviceLifecycleEvents",
///                       "content-type": "application/json", "content-encoding": "utf-8",
///                       "message-id": "…", "correlation-id": "…", "user-id": "myhub"},
///  "body": {…} | "<base64 of the body bytes>",
///  "bodyEncoding": "base64"}
/// ```
///
/// - `properties`: the message's application properties (for lifecycle events: `opType`,
///   `hubName`, `deviceId`, `moduleId`, `operationTimestamp`, `iothub-message-schema`).
/// - `systemProperties`: the system properties and AMQP annotations, under their AMQP names
///   (`iothub-connection-device-id`, `iothub-enqueuedtime` as epoch milliseconds or an
///   ISO 8601 string, `content-type`, `content-encoding`, `message-id`, …).
/// - `body`: a JSON body as JSON; any other body as a base64 string, marked by
///   `"bodyEncoding": "base64"` (or a system property `content-encoding` /
///   `iothub-content-encoding` of `base64`). An unmarked string is read as JSON text, then as
///   base64.
/// - Member names are matched exactly, then case-insensitively (`Properties`,
///   `SystemProperties`, `Body` as the Functions host spells them are accepted).
public struct EventHubsMessage: Sendable, Hashable {
    /// Application properties.
    public var properties: JSONObject
    /// System properties and annotations.
    public var systemProperties: JSONObject
    /// The body as it appears in the envelope.
    public var body: JSONValue?
    /// Whether a string body is base64 for sure (the envelope or a system property says so).
    public var bodyIsBase64: Bool

    /// A message with the given parts.
    public init(
        properties: JSONObject = JSONObject(), systemProperties: JSONObject = JSONObject(), body: JSONValue? = nil,
        bodyIsBase64: Bool = false
    ) {
        self.properties = properties
        self.systemProperties = systemProperties
        self.body = body
        self.bodyIsBase64 = bodyIsBase64
    }

    /// Reads an envelope object.
    init(envelope: JSONObject) {
        let system = envelope.member("systemProperties", "system_properties")?.objectValue ?? JSONObject()
        let encoding = envelope.string("bodyEncoding") ?? system.string("content-encoding", "iothub-content-encoding")
        self.init(
            properties: envelope.member("properties", "applicationProperties")?.objectValue ?? JSONObject(),
            systemProperties: system, body: envelope.member("body"), bodyIsBase64: encoding?.lowercased() == "base64")
    }

    /// The body as a JSON object, or `nil` (see ``MessageBody``).
    public var bodyObject: JSONObject? {
        body.flatMap { MessageBody.object(from: $0, base64: bodyIsBase64) }
    }
}

/// An Event Grid event, in the Event Grid schema or the CloudEvents 1.0 schema (structured or
/// binary mode), reduced to the members the functions read.
public struct GridEvent: Sendable, Hashable {
    /// Which schema it arrived in.
    public enum Schema: String, Sendable, Hashable {
        /// Event Grid's own schema (`eventType`, `eventTime`, `topic`).
        case eventGrid
        /// CloudEvents 1.0 (`type`, `time`, `source`, `specversion`).
        case cloudEvents
    }

    /// The schema.
    public var schema: Schema
    /// `id`.
    public var id: String?
    /// `eventType` (Event Grid) or `type` (CloudEvents), e.g. `Microsoft.Devices.DeviceDeleted`.
    public var type: String
    /// `subject`, e.g. `devices/thermostat-67`.
    public var subject: String?
    /// `eventTime` / `time`.
    public var time: String?
    /// `data` (CloudEvents `data_base64` decoded and parsed when it holds JSON).
    public var data: JSONValue?

    /// An event with the given members.
    public init(
        schema: Schema, id: String? = nil, type: String, subject: String? = nil, time: String? = nil,
        data: JSONValue? = nil
    ) {
        self.schema = schema
        self.id = id
        self.type = type
        self.subject = subject
        self.time = time
        self.data = data
    }

    /// The device id in `subject` (`devices/{id}`, possibly followed by `/modules/…`).
    public var subjectDeviceID: String? {
        guard let subject, subject.hasPrefix("devices/") else { return nil }
        let rest = subject.dropFirst("devices/".count)
        let id = rest.prefix { $0 != "/" }
        return id.isEmpty ? nil : String(id)
    }

    /// The event type of Event Grid's webhook subscription handshake.
    public static let subscriptionValidationType = "Microsoft.EventGrid.SubscriptionValidationEvent"
}

/// One input of the retire or ingest function, whatever transport delivered it.
public enum InboundEvent: Sendable, Hashable {
    /// An IoT Hub message read from Event Hubs.
    case eventHubs(EventHubsMessage)
    /// An Event Grid or CloudEvents event.
    case grid(GridEvent)
}

/// What an HTTP delivery to the retire or ingest function carries.
public enum InboundDelivery: Sendable, Hashable {
    /// Event Grid's subscription-validation handshake: answer `{"validationResponse": code}`.
    case subscriptionValidation(code: String, url: String?)
    /// One or more events.
    case events([InboundEvent])

    /// Classifies a delivery by its headers and body.
    ///
    /// - CloudEvents binary mode: a `ce-type` header; the body is the event's `data`.
    /// - A JSON array: a batch; each element is classified like a single object.
    /// - An object with `specversion`: a structured CloudEvent. With `eventType`: an Event
    ///   Grid event. With `body`, `properties` or `systemProperties`: an ``EventHubsMessage``.
    /// - An Event Grid batch holding `Microsoft.EventGrid.SubscriptionValidationEvent`: the
    ///   handshake.
    ///
    /// - Parameter headers: request headers (any case); may be empty.
    /// - Throws: ``MalformedInput`` when the body is not JSON or an element has none of these
    ///   shapes.
    public static func classify(body: [UInt8], headers: [String: String] = [:]) throws(MalformedInput)
        -> InboundDelivery
    {
        var lowered: [String: String] = [:]
        for (k, v) in headers { lowered[k.lowercased()] = v }

        if let type = lowered["ce-type"] {
            let data: JSONValue? = body.isEmpty ? nil : MessageBody.parse(body)
            if !body.isEmpty, data == nil {
                throw MalformedInput("The CloudEvent's data (the request body) is not JSON.")
            }
            let event = GridEvent(
                schema: .cloudEvents, id: lowered["ce-id"], type: type, subject: lowered["ce-subject"],
                time: lowered["ce-time"],
                data: data)
            return .events([.grid(event)])
        }

        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            throw MalformedInput("The request body is not JSON: \(error.description).")
        }
        let elements: [JSONValue]
        switch root {
        case .array(let list): elements = list
        case .object: elements = [root]
        default:
            throw MalformedInput("The request body must be a JSON object or array of events, not \(root.typeName).")
        }
        guard !elements.isEmpty else { throw MalformedInput("The request body is an empty array: no events.") }

        var events: [InboundEvent] = []
        for (index, element) in elements.enumerated() {
            guard let object = element.objectValue else {
                throw MalformedInput("Event \(index) is \(element.typeName), not an object.")
            }
            let event = try classify(object, index: index)
            if case .grid(let g) = event, g.type == GridEvent.subscriptionValidationType {
                guard let code = g.data?["validationCode"]?.stringValue else {
                    throw MalformedInput("The subscription validation event has no data.validationCode.")
                }
                return .subscriptionValidation(code: code, url: g.data?["validationUrl"]?.stringValue)
            }
            events.append(event)
        }
        return .events(events)
    }

    static func classify(_ object: JSONObject, index: Int) throws(MalformedInput) -> InboundEvent {
        if object["specversion"] != nil {
            guard let type = object.string("type") else { throw MalformedInput("CloudEvent \(index) has no type.") }
            var data = object["data"]
            if data == nil, let encoded = object.string("data_base64") {
                guard let bytes = MessageBody.base64Decode(encoded) else {
                    throw MalformedInput("CloudEvent \(index) has a data_base64 that is not base64.")
                }
                data = MessageBody.parse(bytes) ?? .string(String(decoding: bytes, as: UTF8.self))
            }
            return .grid(
                GridEvent(
                    schema: .cloudEvents, id: object.string("id"), type: type, subject: object.string("subject"),
                    time: object.string("time"), data: data))
        }
        if let type = object.string("eventType") {
            return .grid(
                GridEvent(
                    schema: .eventGrid, id: object.string("id"), type: type, subject: object.string("subject"),
                    time: object.string("eventTime"), data: object["data"]))
        }
        if object.member("body") != nil || object.member("properties") != nil
            || object.member("systemProperties") != nil
        {
            return .eventHubs(EventHubsMessage(envelope: object))
        }
        throw MalformedInput(
            "Event \(index) is neither an Event Hubs message envelope ({\"properties\",\"systemProperties\",\"body\"}), "
                + "an Event Grid event (eventType) nor a CloudEvent (specversion).")
    }
}

extension InboundDelivery {
    /// The answer to Event Grid's subscription-validation handshake: 200
    /// `{"validationResponse": "<code>"}`.
    public static func validationResponse(code: String) -> FunctionResponse {
        FunctionResponse(status: 200, body: ["validationResponse": .string(code)])
    }

    /// The answer to the CloudEvents webhook abuse-protection handshake (an HTTP `OPTIONS`
    /// request with `WebHook-Request-Origin`): 200 with `WebHook-Allowed-Origin` echoing the
    /// origin and `WebHook-Allowed-Rate: *`. The host sends these headers and no body.
    /// `nil` when the request has no `WebHook-Request-Origin` header.
    public static func abuseProtectionResponse(headers: [String: String]) -> FunctionResponse? {
        guard let origin = headers.first(where: { $0.key.lowercased() == "webhook-request-origin" })?.value else {
            return nil
        }
        return FunctionResponse(
            status: 200, body: .object(JSONObject()),
            headers: ["WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*"])
    }
}

/// How a batch's per-event answers combine into one.
enum BatchResponse {
    /// A single event: its own answer. Several: 503 when any must be retried (redelivery is
    /// harmless: the functions are idempotent), otherwise 200 with each event's answer under
    /// `results` (a final 4xx for one event must not make the sender redeliver the others).
    static func combine(_ responses: [FunctionResponse]) -> FunctionResponse {
        if responses.count == 1 { return responses[0] }
        let results = JSONValue.array(responses.map { r in ["status": .integer(Int64(r.status)), "body": r.body] })
        let status = responses.contains(where: \.shouldRetry) ? 503 : 200
        return FunctionResponse(status: status, body: ["results": results])
    }
}
