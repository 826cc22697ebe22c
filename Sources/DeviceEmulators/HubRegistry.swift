import ADTWire
import DTDL
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// The device registries of all emulated hubs (`hub_devices`). Creating and deleting an
/// identity queues its lifecycle event in `hub_outbox` in the same transaction.
struct HubRegistry: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// What a create or update asks for.
    struct DeviceSpec: Sendable {
        var deviceID: String
        var status: String = "enabled"
        var statusReason: String?
        var authType: String = "sas"
        var primaryKey: String?
        var secondaryKey: String?
        var iotEdge: Bool = false
    }

    /// Why a write was refused.
    enum WriteError: Error {
        case deviceNotFound
        case deviceAlreadyExists
        case preconditionFailed(current: String)
    }

    func get(hub: String, deviceID: String) async throws -> HubDevice? {
        try await client.withConnection {
            try await Self.fetch(hub: hub, deviceID: deviceID, forUpdate: false, on: $0, logger: logger)
        }
    }

    /// `PUT /devices/{id}`: creates the device when there is no `If-Match` (409 when it
    /// exists), replaces it otherwise (`*` or its etag; 404 when absent, 412 on a mismatch).
    /// Keys left empty are generated (create) or kept (update).
    func put(hub: String, spec: DeviceSpec, ifMatch: String?) async throws -> HubDevice {
        try await client.transaction(logger: logger) { connection in
            let existing = try await Self.fetch(
                hub: hub, deviceID: spec.deviceID, forUpdate: true, on: connection, logger: logger)
            guard let ifMatch else {
                guard existing == nil else { throw WriteError.deviceAlreadyExists }
                return try await Self.insert(
                    hub: hub, spec: spec, tags: JSONObject(), desired: JSONObject(), on: connection, logger: logger)
            }
            guard let existing else { throw WriteError.deviceNotFound }
            guard Self.matches(ifMatch, existing.etag) else {
                throw WriteError.preconditionFailed(current: existing.etag)
            }
            let statusChanged = existing.status != spec.status
            let rows = try await connection.query(
                """
                UPDATE hub_devices SET version = version + 1, status = \(spec.status), status_reason = \(spec.statusReason),
                    auth_type = \(spec.authType), primary_key = \(spec.primaryKey ?? existing.primaryKey ?? EmulatorRandom.key()),
                    secondary_key = \(spec.secondaryKey ?? existing.secondaryKey ?? EmulatorRandom.key()),
                    iot_edge = \(spec.iotEdge), updated_at = now(),
                    status_updated_at = CASE WHEN \(statusChanged) THEN now() ELSE status_updated_at END
                WHERE hub = \(hub) AND device_id = \(spec.deviceID)
                RETURNING \(unescaped: HubDevice.columns)
                """, logger: logger)
            for try await row in rows { return try HubDevice.decode(row) }
            throw WriteError.deviceNotFound
        }
    }

    /// `DELETE /devices/{id}`; queues `deleteDeviceIdentity` with the twin as it was.
    ///
    /// - Parameter ifMatch: `*` or the device etag (quoted or not); `nil` deletes unconditionally.
    func delete(hub: String, deviceID: String, ifMatch: String?) async throws -> HubDevice {
        try await client.transaction(logger: logger) { connection in
            guard
                let existing = try await Self.fetch(
                    hub: hub, deviceID: deviceID, forUpdate: true, on: connection, logger: logger)
            else { throw WriteError.deviceNotFound }
            if let ifMatch, !Self.matches(ifMatch, existing.etag) {
                throw WriteError.preconditionFailed(current: existing.etag)
            }
            try await Self.remove(existing, on: connection, logger: logger)
            return existing
        }
    }

    /// Records a message a device sent (queued for routing) and the device's activity.
    func accept(_ message: HubMessage) async throws {
        try await client.transaction(logger: logger) { connection in
            try await message.insert(on: connection, logger: logger)
            try await connection.query(
                """
                UPDATE hub_devices SET last_activity_at = \(message.enqueuedAt)
                WHERE hub = \(message.hub) AND device_id = \(message.deviceID)
                """, logger: logger)
        }
    }

    // MARK: Statements (in the caller's transaction)

    /// Whether `If-Match` accepts `etag`: `*`, or the etag, either quoted or not.
    static func matches(_ ifMatch: String, _ etag: String) -> Bool { ifMatchAccepts(ifMatch, etag) }

    static func fetch(hub: String, deviceID: String, forUpdate: Bool, on connection: PostgresConnection, logger: Logger)
        async throws -> HubDevice?
    {
        var query = PostgresQuery(
            unsafeSQL: "SELECT \(HubDevice.columns) FROM hub_devices WHERE hub = $1 AND device_id = $2"
                + (forUpdate ? " FOR UPDATE" : ""))
        query.binds.append(hub)
        query.binds.append(deviceID)
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows { return try HubDevice.decode(row) }
        return nil
    }

    /// Inserts a device and queues `createDeviceIdentity`.
    static func insert(
        hub: String, spec: DeviceSpec, tags: JSONObject, desired: JSONObject, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> HubDevice {
        let rows = try await connection.query(
            """
            INSERT INTO hub_devices (hub, device_id, generation_id, status, status_reason, auth_type, primary_key,
                secondary_key, iot_edge, tags, desired)
            VALUES (\(hub), \(spec.deviceID), \(HubDevice.newGenerationID()), \(spec.status), \(spec.statusReason),
                \(spec.authType), \(spec.primaryKey ?? EmulatorRandom.key()), \(spec.secondaryKey ?? EmulatorRandom.key()),
                \(spec.iotEdge), \(JSONText.string(.object(tags)))::jsonb, \(JSONText.string(.object(desired)))::jsonb)
            RETURNING \(unescaped: HubDevice.columns)
            """, logger: logger)
        var created: HubDevice?
        for try await row in rows { created = try HubDevice.decode(row) }
        guard let device = created else { throw WriteError.deviceNotFound }
        try await HubMessage.lifecycle("createDeviceIdentity", device: device).insert(on: connection, logger: logger)
        return device
    }

    /// Deletes a device and queues `deleteDeviceIdentity` with its last state.
    static func remove(_ device: HubDevice, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "DELETE FROM hub_devices WHERE hub = \(device.hub) AND device_id = \(device.deviceID)", logger: logger)
        try await HubMessage.lifecycle("deleteDeviceIdentity", device: device).insert(on: connection, logger: logger)
    }

    /// DPS's write: the device with these keys, created with `initialTwin` (tags and desired
    /// properties) when new; an existing device keeps its twin and gets the keys.
    ///
    /// - Returns: whether the device was created.
    @discardableResult
    static func provision(
        hub: String, deviceID: String, primaryKey: String, secondaryKey: String, initialTwin: JSONObject?,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        if try await fetch(hub: hub, deviceID: deviceID, forUpdate: true, on: connection, logger: logger) != nil {
            try await connection.query(
                """
                UPDATE hub_devices SET version = version + 1, auth_type = 'sas', primary_key = \(primaryKey),
                    secondary_key = \(secondaryKey), updated_at = now()
                WHERE hub = \(hub) AND device_id = \(deviceID)
                """, logger: logger)
            return false
        }
        let tags = initialTwin?["tags"]?.objectValue ?? JSONObject()
        let desired = initialTwin?["properties"]?["desired"]?.objectValue ?? JSONObject()
        let spec = DeviceSpec(deviceID: deviceID, primaryKey: primaryKey, secondaryKey: secondaryKey)
        _ = try await insert(hub: hub, spec: spec, tags: tags, desired: desired, on: connection, logger: logger)
        return true
    }
}
