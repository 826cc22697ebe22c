import ADTWire
import Crypto
import DTDL

/// A device-to-cloud telemetry message, normalised from whichever envelope delivered it.
public struct TelemetryMessage: Sendable, Hashable {
    /// The sending device (`iothub-connection-device-id`).
    public var deviceID: String
    /// The twin to update: the message-enrichment property `dtId` when the hub adds one,
    /// else the device id.
    public var twinID: String
    /// The sending module, for module messages.
    public var moduleID: String?
    /// The message body, a JSON object of name → value.
    public var body: JSONObject
    /// When IoT Hub enqueued the message (RFC 3339), used as `sourceTime`.
    public var sourceTime: String?
    /// A de-duplication id for `publishTelemetry`: the message's own id when it has one,
    /// otherwise a hash of twin, time and body, so a redelivered message keeps its id.
    public var messageID: String

    /// A message with the given values.
    public init(
        deviceID: String, twinID: String? = nil, moduleID: String? = nil, body: JSONObject, sourceTime: String? = nil,
        messageID: String? = nil
    ) {
        self.deviceID = deviceID
        self.twinID = twinID ?? deviceID
        self.moduleID = moduleID
        self.body = body
        self.sourceTime = sourceTime
        self.messageID =
            messageID ?? Self.derivedMessageID(twinID: twinID ?? deviceID, sourceTime: sourceTime, body: body)
    }

    /// The IoT Hub event type of device telemetry in Event Grid.
    public static let deviceTelemetryType = "Microsoft.Devices.DeviceTelemetry"

    /// What to do with an event.
    enum Reading: Equatable {
        case message(TelemetryMessage)
        case ignore(String)
        case malformed(String)
    }

    /// Reads a telemetry message out of an event.
    ///
    /// - Event Hubs: the device from system property `iothub-connection-device-id`, the time
    ///   from `iothub-enqueuedtime` (epoch ms or ISO 8601), the body as described by
    ///   ``EventHubsMessage``; a message whose `iothub-message-source` is not `Telemetry`
    ///   (for example a lifecycle event routed here) is ignored.
    /// - Event Grid / CloudEvents `Microsoft.Devices.DeviceTelemetry`: `data.body` is JSON when
    ///   the device sent `contentType: application/json` and `contentEncoding: utf-8`, and a
    ///   base64 string otherwise (both are read); the device from
    ///   `data.systemProperties.iothub-connection-device-id` or `subject`, the time from
    ///   `data.systemProperties.iothub-enqueuedtime`, else the event time. Other types are
    ///   ignored.
    static func read(_ event: InboundEvent) -> Reading {
        switch event {
        case .eventHubs(let message):
            let system = message.systemProperties
            if let source = system.string("iothub-message-source"), source.lowercased() != "telemetry" {
                return .ignore("message source \(source), not Telemetry")
            }
            guard let deviceID = system.string("iothub-connection-device-id") else {
                return .malformed("The message has no iothub-connection-device-id system property.")
            }
            guard let body = message.bodyObject else {
                return .malformed(
                    "The body of the message from \(deviceID) is not a JSON object (JSON, JSON text or base64 of JSON)."
                )
            }
            return .message(
                TelemetryMessage(
                    deviceID: deviceID, twinID: message.properties.string("dtId"),
                    moduleID: system.string("iothub-connection-module-id"), body: body,
                    sourceTime: Timestamp.normalize(system.member("iothub-enqueuedtime")),
                    messageID: system.string("message-id", "messageId")))
        case .grid(let event):
            guard event.type == deviceTelemetryType else { return .ignore("event type \(event.type)") }
            guard let data = event.data?.objectValue else {
                return .malformed("The telemetry event has no data object.")
            }
            let system = data.member("systemProperties")?.objectValue ?? JSONObject()
            let properties = data.member("properties")?.objectValue ?? JSONObject()
            guard let deviceID = system.string("iothub-connection-device-id") ?? event.subjectDeviceID else {
                return .malformed(
                    "The telemetry event names no device (data.systemProperties.iothub-connection-device-id, subject).")
            }
            guard let rawBody = data.member("body"), let body = MessageBody.object(from: rawBody, base64: false) else {
                return .malformed(
                    "data.body of the telemetry event from \(deviceID) is not a JSON object (JSON or base64 of JSON).")
            }
            let sourceTime =
                Timestamp.normalize(system.member("iothub-enqueuedtime"))
                ?? event.time.flatMap { Timestamp.normalize(.string($0)) }
            return .message(
                TelemetryMessage(
                    deviceID: deviceID, twinID: properties.string("dtId"),
                    moduleID: system.string("iothub-connection-module-id"), body: body, sourceTime: sourceTime,
                    messageID: system.string("message-id") ?? event.id))
        }
    }

    /// SHA-256 over twin id, time and body, hex, 32 characters.
    static func derivedMessageID(twinID: String, sourceTime: String?, body: JSONObject) -> String {
        var bytes = Array(twinID.utf8)
        bytes.append(0x0a)
        bytes += Array((sourceTime ?? "").utf8)
        bytes.append(0x0a)
        bytes += JSONWriter.bytes(.object(body))
        let digest = SHA256.hash(data: bytes)
        return digest.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
