import ADTWire
import DTDL
import Foundation
import PostgresNIO

/// A device identity of an emulated hub (a row of `hub_devices`) and its JSON forms.
struct HubDevice: Sendable {
    /// The hub's host name, lower-cased.
    var hub: String
    var deviceID: String
    var generationID: String
    /// Bumped by every identity change; the etag is base64 of its decimal digits (`MA==` is 0).
    var version: Int64
    /// The twin's `version`.
    var twinVersion: Int64
    var status: String
    var statusReason: String?
    var authType: String
    var primaryKey: String?
    var secondaryKey: String?
    var iotEdge: Bool
    var tags: JSONObject
    var desired: JSONObject
    var createdAt: Date
    var updatedAt: Date
    var statusUpdatedAt: Date?
    var lastActivityAt: Date?

    /// The device etag, as IoT Hub's: base64 of the version's digits.
    var etag: String { Data(String(version).utf8).base64EncodedString() }

    /// The twin etag, as IoT Hub's: base64 of the twin version as 8 big-endian bytes
    /// (`AAAAAAAAAAI=` is 2).
    var twinETag: String {
        withUnsafeBytes(of: UInt64(twinVersion).bigEndian) { Data($0).base64EncodedString() }
    }

    /// The device keys, primary first.
    var keys: [String] { [primaryKey, secondaryKey].compactMap { $0 } }

    /// The hub's short name: its host name's first label.
    var hubName: String { String(hub.prefix { $0 != "." }) }

    /// The registry's `Device` JSON.
    var json: JSONValue {
        var d = JSONObject()
        d["deviceId"] = .string(deviceID)
        d["generationId"] = .string(generationID)
        d["etag"] = .string(etag)
        d["status"] = .string(status)
        d["statusReason"] = statusReason.map(JSONValue.string) ?? .null
        d["connectionState"] = "Disconnected"
        d["connectionStateUpdatedTime"] = .string(EmulatorTime.never)
        d["statusUpdatedTime"] = .string(statusUpdatedAt.map(EmulatorTime.iso) ?? EmulatorTime.never)
        d["lastActivityTime"] = .string(lastActivityAt.map(EmulatorTime.iso) ?? EmulatorTime.never)
        d["cloudToDeviceMessageCount"] = 0
        var authentication = JSONObject()
        authentication["type"] = .string(authType)
        authentication["symmetricKey"] = [
            "primaryKey": primaryKey.map(JSONValue.string) ?? .null,
            "secondaryKey": secondaryKey.map(JSONValue.string) ?? .null,
        ]
        authentication["x509Thumbprint"] = ["primaryThumbprint": nil, "secondaryThumbprint": nil]
        d["authentication"] = .object(authentication)
        d["capabilities"] = ["iotEdge": .bool(iotEdge)]
        return .object(d)
    }

    /// The twin's `properties`: desired (with metadata) and an empty reported section.
    private var twinProperties: JSONValue {
        let updated = EmulatorTime.iso(updatedAt)
        var desiredSection = desired
        var metadata = JSONObject()
        metadata["$lastUpdated"] = .string(updated)
        for (key, _) in desired { metadata[key] = ["$lastUpdated": .string(updated)] }
        desiredSection["$metadata"] = .object(metadata)
        desiredSection["$version"] = .integer(desired.isEmpty ? 1 : 2)
        return [
            "desired": .object(desiredSection),
            "reported": ["$metadata": ["$lastUpdated": .string(EmulatorTime.iso(createdAt))], "$version": 1],
        ]
    }

    /// The device twin, as the body of a lifecycle event:
    /// `{"deviceId", "etag", "version", "tags", "properties": {"desired", "reported"}}`.
    var twinJSON: JSONValue {
        var t = JSONObject()
        t["deviceId"] = .string(deviceID)
        t["etag"] = .string(twinETag)
        t["version"] = .integer(twinVersion)
        if !tags.isEmpty { t["tags"] = .object(tags) }
        t["properties"] = twinProperties
        return .object(t)
    }

    /// The twin as `GET /twins/{id}` shows it (the lifecycle body plus the identity's state).
    var serviceTwinJSON: JSONValue {
        var t = JSONObject()
        t["deviceId"] = .string(deviceID)
        t["etag"] = .string(twinETag)
        t["deviceEtag"] = .string(etag)
        t["status"] = .string(status)
        t["statusUpdateTime"] = .string(statusUpdatedAt.map(EmulatorTime.iso) ?? EmulatorTime.never)
        t["connectionState"] = "Disconnected"
        t["lastActivityTime"] = .string(lastActivityAt.map(EmulatorTime.iso) ?? EmulatorTime.never)
        t["cloudToDeviceMessageCount"] = 0
        t["authenticationType"] = .string(authType)
        t["x509Thumbprint"] = ["primaryThumbprint": nil, "secondaryThumbprint": nil]
        t["version"] = .integer(twinVersion)
        if !tags.isEmpty { t["tags"] = .object(tags) }
        t["properties"] = twinProperties
        t["capabilities"] = ["iotEdge": .bool(iotEdge)]
        return .object(t)
    }

    /// `data` of an Event Grid `Microsoft.Devices.DeviceCreated` / `DeviceDeleted` event:
    /// `{"twin": {...}, "hubName", "deviceId"}`, the twin as in Event Grid's published sample
    /// (times without a zone, `"0001-01-01T00:00:00"` when unset).
    var eventGridData: JSONValue {
        func gridTime(_ date: Date?) -> JSONValue {
            guard let date else { return "0001-01-01T00:00:00" }
            return .string(EmulatorTime.iso(date))
        }
        var t = JSONObject()
        t["deviceId"] = .string(deviceID)
        t["etag"] = .string(twinETag)
        t["deviceEtag"] = .string(etag)
        t["status"] = .string(status)
        t["statusUpdateTime"] = gridTime(statusUpdatedAt)
        t["connectionState"] = "Disconnected"
        t["lastActivityTime"] = gridTime(lastActivityAt)
        t["cloudToDeviceMessageCount"] = 0
        t["authenticationType"] = .string(authType)
        t["x509Thumbprint"] = ["primaryThumbprint": nil, "secondaryThumbprint": nil]
        t["version"] = .integer(twinVersion)
        if !tags.isEmpty { t["tags"] = .object(tags) }
        t["properties"] = twinProperties
        return ["twin": .object(t), "hubName": .string(hubName), "deviceId": .string(deviceID)]
    }

    /// The columns read by ``decode(_:)``.
    static let columns = """
        hub, device_id, generation_id, version, twin_version, status, status_reason, auth_type, primary_key, \
        secondary_key, iot_edge, tags::text, desired::text, created_at, updated_at, status_updated_at, last_activity_at
        """

    static func decode(_ row: PostgresRow) throws -> HubDevice {
        let (
            hub, id, generation, version, twinVersion, status, reason, auth, primary, secondary, edge, tags, desired,
            created, updated, statusUpdated, lastActivity
        ) = try row.decode(
            (
                String, String, String, Int64, Int64, String, String?, String, String?, String?, Bool, String, String,
                Date, Date, Date?, Date?
            ).self)
        return HubDevice(
            hub: hub, deviceID: id, generationID: generation, version: version, twinVersion: twinVersion,
            status: status,
            statusReason: reason, authType: auth, primaryKey: primary, secondaryKey: secondary, iotEdge: edge,
            tags: JSONText.object(tags), desired: JSONText.object(desired), createdAt: created, updatedAt: updated,
            statusUpdatedAt: statusUpdated, lastActivityAt: lastActivity)
    }

    /// IoT Hub's device id rules: 1–128 ASCII letters, digits and `- . % _ * ? ! ( ) , : = @ $ '`.
    static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 128 else { return false }
        let extra = Set("-.%_*?!(),:=@$'".unicodeScalars)
        return id.unicodeScalars.allSatisfy { s in
            s.isASCII
                && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || extra.contains(s))
        }
    }

    /// A new generation id: 18 digits, like IoT Hub's.
    static func newGenerationID() -> String {
        "6" + (0..<17).map { _ in String(Int.random(in: 0...9)) }.joined()
    }
}
