import ADTWire
import DTDL
import Foundation
import Logging
import PostgresNIO

/// A message of an emulated hub: a device lifecycle event or device telemetry, as queued in
/// `hub_outbox` and as routing sees it.
///
/// System properties are kept under their AMQP names (`iothub-connection-device-id`,
/// `iothub-enqueuedtime` in epoch milliseconds, `content-type`, ...), the way Event Hubs
/// readers see them.
struct HubMessage: Sendable {
    /// The queue row's id (0 before insertion).
    var outboxID: Int64 = 0
    /// The hub's host name, lower-cased.
    var hub: String
    var source: RoutingSource
    /// The id of the message's Event Grid event.
    var eventID: String
    var deviceID: String
    /// Application properties (string values).
    var properties: JSONObject
    var systemProperties: JSONObject
    var body: [UInt8]
    var enqueuedAt: Date
    /// The Event Grid `data` of a lifecycle event (the twin and identity before the change).
    var gridData: JSONValue?

    /// A `createDeviceIdentity` / `deleteDeviceIdentity` notification about `device` (in its
    /// state at that moment), with the properties of IoT Hub's non-telemetry event schema.
    static func lifecycle(_ opType: String, device: HubDevice, at time: Date = Date()) -> HubMessage {
        var properties = JSONObject()
        properties["hubName"] = .string(device.hubName)
        properties["deviceId"] = .string(device.deviceID)
        properties["operationTimestamp"] = .string(EmulatorTime.iso(time))
        properties["opType"] = .string(opType)
        properties["iothub-message-schema"] = "deviceLifecycleNotification"
        var system = JSONObject()
        system["content-type"] = "application/json"
        system["content-encoding"] = "utf-8"
        system["correlation-id"] = .string(EmulatorRandom.hex(5))
        system["user-id"] = .string(device.hubName)
        system["iothub-connection-device-id"] = .string(device.deviceID)
        system["iothub-enqueuedtime"] = .integer(EmulatorTime.epochMilliseconds(time))
        system["iothub-message-source"] = "deviceLifecycleEvents"
        return HubMessage(
            hub: device.hub, source: .deviceLifecycleEvents, eventID: EmulatorRandom.uuid(), deviceID: device.deviceID,
            properties: properties, systemProperties: system, body: JSONWriter.bytes(device.twinJSON),
            enqueuedAt: time, gridData: device.eventGridData)
    }

    /// `opType`, for lifecycle events.
    var opType: String? { properties["opType"]?.stringValue }

    /// Whether the body is JSON text that routing (`$body`) and Event Grid may read as JSON:
    /// content type `application/json` and encoding `utf-8` (IoT Hub's rule), and valid JSON.
    var jsonBody: JSONValue? {
        guard let type = systemProperties["content-type"]?.stringValue?.lowercased(),
            type.hasPrefix("application/json"),
            let encoding = systemProperties["content-encoding"]?.stringValue?.lowercased(),
            encoding == "utf-8" || encoding == "utf8"
        else { return nil }
        return try? JSONParser.parse(body)
    }

    // MARK: Queue

    /// Queues the message, in the caller's transaction.
    func insert(on connection: PostgresConnection, logger: Logger) async throws {
        let properties = JSONText.string(.object(properties))
        let system = JSONText.string(.object(systemProperties))
        let grid = gridData.map(JSONText.string)
        try await connection.query(
            """
            INSERT INTO hub_outbox (hub, source, event_id, device_id, properties, system_properties, body, enqueued_at,
                grid_data)
            VALUES (\(hub), \(source.rawValue), \(eventID), \(deviceID), \(properties)::jsonb, \(system)::jsonb,
                \(ByteBuffer(bytes: body)), \(enqueuedAt), \(grid)::jsonb)
            """, logger: logger)
    }

    /// The columns read by ``decode(_:)``, for `hub_outbox` aliased `o`.
    static let columns = """
        o.id, o.hub, o.source, o.event_id, o.device_id, o.properties::text, o.system_properties::text, o.body, \
        o.enqueued_at, o.grid_data::text
        """

    /// Reads the ``columns``, starting at column `offset`.
    static func decode(_ row: PostgresRow, offset: Int = 0) throws -> HubMessage {
        let c = row.makeRandomAccess()
        let body = try c[offset + 7].decode(ByteBuffer.self)
        return HubMessage(
            outboxID: try c[offset].decode(Int64.self), hub: try c[offset + 1].decode(String.self),
            source: RoutingSource(name: try c[offset + 2].decode(String.self)) ?? .deviceMessages,
            eventID: try c[offset + 3].decode(String.self), deviceID: try c[offset + 4].decode(String.self),
            properties: JSONText.object(try c[offset + 5].decode(String.self)),
            systemProperties: JSONText.object(try c[offset + 6].decode(String.self)),
            body: Array(body.readableBytesView), enqueuedAt: try c[offset + 8].decode(Date.self),
            gridData: JSONText.parse(try c[offset + 9].decode(String?.self)))
    }

    // MARK: Rendering

    /// The message as its hub names itself (`hubName`, `user-id` of lifecycle events).
    func named(_ hubName: String) -> HubMessage {
        guard source == .deviceLifecycleEvents else { return self }
        var m = self
        m.properties["hubName"] = .string(hubName)
        m.systemProperties["user-id"] = .string(hubName)
        if case .object(var data)? = gridData {
            data["hubName"] = .string(hubName)
            m.gridData = .object(data)
        }
        return m
    }

    /// The Event Hubs envelope the functions read (see `EventHubsMessage` in DeviceLifecycle):
    /// `{"properties", "systemProperties", "body"}`; a JSON body is embedded as sent, any other
    /// as base64 with `"bodyEncoding": "base64"`.
    var eventHubsEnvelope: [UInt8] {
        var out = Array(#"{"properties":"#.utf8)
        JSONWriter.write(.object(properties), into: &out)
        out += Array(#","systemProperties":"#.utf8)
        JSONWriter.write(.object(systemProperties), into: &out)
        out += Array(#","body":"#.utf8)
        if (try? JSONParser.parse(body)) != nil {
            out += body
        } else {
            JSONWriter.write(.string(Data(body).base64EncodedString()), into: &out)
            out += Array(#","bodyEncoding":"base64""#.utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The Event Grid event (`Microsoft.Devices.DeviceCreated`, `DeviceDeleted` or
    /// `DeviceTelemetry`), or `nil` for a message Event Grid has no type for.
    func eventGridEvent(topic: String) -> [UInt8]? {
        let type: String
        var data = JSONObject()
        var dataVersion = "1"
        switch source {
        case .deviceLifecycleEvents:
            switch opType {
            case "createDeviceIdentity"?: type = "Microsoft.Devices.DeviceCreated"
            case "deleteDeviceIdentity"?: type = "Microsoft.Devices.DeviceDeleted"
            default: return nil
            }
            data = gridData?.objectValue ?? JSONObject()
        case .deviceMessages:
            type = "Microsoft.Devices.DeviceTelemetry"
            dataVersion = ""
            data["properties"] = .object(properties)
            data["systemProperties"] = .object(gridSystemProperties)
        case .twinChangeEvents:
            return nil
        }
        var head = JSONObject()
        head["id"] = .string(eventID)
        head["topic"] = .string(topic)
        head["subject"] = .string("devices/\(deviceID)")
        head["eventType"] = .string(type)
        head["eventTime"] = .string(EmulatorTime.iso(enqueuedAt))
        var out = Array(JSONWriter.bytes(.object(head)).dropLast())
        out += Array(#","data":"#.utf8)
        if source == .deviceMessages {
            // data.body first, as sent when it is JSON (utf-8, application/json), else base64.
            out += Array(#"{"body":"#.utf8)
            if jsonBody != nil {
                out += body
            } else {
                JSONWriter.write(.string(Data(body).base64EncodedString()), into: &out)
            }
            out.append(UInt8(ascii: ","))
            out += Array(JSONWriter.bytes(.object(data)).dropFirst())
        } else {
            JSONWriter.write(.object(data), into: &out)
        }
        out += Array(#","dataVersion":"#.utf8)
        JSONWriter.write(.string(dataVersion), into: &out)
        out += Array(#","metadataVersion":"1"}"#.utf8)
        return out
    }

    /// Telemetry system properties as Event Grid names them: `iothub-content-type`,
    /// `iothub-content-encoding`, and `iothub-enqueuedtime` as an ISO 8601 time.
    private var gridSystemProperties: JSONObject {
        var out = JSONObject()
        for (key, value) in systemProperties {
            switch key {
            case "content-type": out["iothub-content-type"] = value
            case "content-encoding": out["iothub-content-encoding"] = value
            case "iothub-enqueuedtime": out[key] = .string(EmulatorTime.iso(enqueuedAt))
            default: out[key] = value
            }
        }
        return out
    }
}
