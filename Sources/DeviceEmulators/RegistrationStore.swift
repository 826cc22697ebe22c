import ADTWire
import DTDL
import Foundation
import Logging
import PostgresNIO

/// One registration request and how it ended (a row of `dps_operations`).
struct RegistrationOperation: Sendable {
    var operationID: String
    var idScope: String
    var registrationID: String
    var enrollmentGroupID: String
    var payload: JSONValue?
    var status: String
    var substatus: String?
    var assignedHub: String?
    var deviceID: String?
    var resultPayload: JSONValue?
    var errorCode: Int?
    var errorMessage: String?
    var etag: String
    var createdAt: Date
    var updatedAt: Date

    /// `RegistrationOperationStatus`: `{"operationId", "status", "registrationState"}`; while
    /// assigning only `{"operationId", "status": "assigning"}`, as the 202 of the register call.
    var json: JSONValue {
        var result = JSONObject()
        result["operationId"] = .string(operationID)
        result["status"] = .string(status)
        if status != "assigning" { result["registrationState"] = registrationState }
        return .object(result)
    }

    /// `DeviceRegistrationResult`, the members in the order DPS writes them.
    var registrationState: JSONValue {
        var state = JSONObject()
        state["registrationId"] = .string(registrationID)
        guard status != "assigning" else {
            state["status"] = .string(status)
            return .object(state)
        }
        state["createdDateTimeUtc"] = .string(EmulatorTime.iso(createdAt))
        if let assignedHub { state["assignedHub"] = .string(assignedHub) }
        if let deviceID { state["deviceId"] = .string(deviceID) }
        state["status"] = .string(status)
        if let substatus { state["substatus"] = .string(substatus) }
        if let errorCode { state["errorCode"] = .integer(Int64(errorCode)) }
        if let errorMessage { state["errorMessage"] = .string(errorMessage) }
        state["lastUpdatedDateTimeUtc"] = .string(EmulatorTime.iso(updatedAt))
        state["etag"] = .string(etag)
        if let resultPayload { state["payload"] = resultPayload }
        return .object(state)
    }
}

/// Registration operations in `dps_operations`.
struct RegistrationStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    private static let columns = """
        operation_id, id_scope, registration_id, enrollment_group_id, payload::text, status, substatus, assigned_hub, \
        device_id, result_payload::text, error_code, error_message, etag, created_at, updated_at
        """

    /// A DPS-like operation id: `5.<16 hex>.<uuid>`.
    static func newOperationID() -> String { "5.\(EmulatorRandom.hex(8)).\(EmulatorRandom.uuid())" }

    /// A DPS-like registration etag: base64 of a quoted id.
    static func newETag() -> String { Data("\"\(EmulatorRandom.uuid())\"".utf8).base64EncodedString() }

    /// Records a new `assigning` operation.
    func create(idScope: String, registrationID: String, groupID: String, payload: JSONValue?) async throws
        -> RegistrationOperation
    {
        let id = Self.newOperationID()
        let payloadText = payload.map(JSONText.string)
        var query = PostgresQuery(
            unsafeSQL: """
                INSERT INTO dps_operations (operation_id, id_scope, registration_id, registration_key,
                    enrollment_group_id, payload, status, etag)
                VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'assigning', $7)
                RETURNING \(Self.columns)
                """)
        query.binds.append(id)
        query.binds.append(idScope)
        query.binds.append(registrationID)
        query.binds.append(registrationID.lowercased())
        query.binds.append(groupID)
        query.binds.append(payloadText)
        query.binds.append(Self.newETag())
        let rows = try await client.query(query, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        throw EmulatorStoreError("the operation was not recorded")
    }

    /// The operation, when it belongs to this registration.
    func get(operationID: String, idScope: String, registrationID: String) async throws -> RegistrationOperation? {
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.columns) FROM dps_operations
                WHERE operation_id = $1 AND lower(id_scope) = lower($2) AND registration_key = $3
                """)
        query.binds.append(operationID)
        query.binds.append(idScope)
        query.binds.append(registrationID.lowercased())
        let rows = try await client.query(query, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        return nil
    }

    /// The registration's latest operation.
    func latest(idScope: String, registrationID: String) async throws -> RegistrationOperation? {
        var query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Self.columns) FROM dps_operations
                WHERE lower(id_scope) = lower($1) AND registration_key = $2 ORDER BY created_at DESC LIMIT 1
                """)
        query.binds.append(idScope)
        query.binds.append(registrationID.lowercased())
        let rows = try await client.query(query, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        return nil
    }

    /// The hub and device of the registration's latest successful assignment before this one.
    static func previousAssignment(
        of operation: RegistrationOperation, on connection: PostgresConnection, logger: Logger
    )
        async throws -> (hub: String, deviceID: String)?
    {
        let rows = try await connection.query(
            """
            SELECT assigned_hub, device_id FROM dps_operations
            WHERE lower(id_scope) = lower(\(operation.idScope)) AND registration_key = \(operation.registrationID.lowercased())
              AND status = 'assigned' AND operation_id <> \(operation.operationID)
            ORDER BY updated_at DESC LIMIT 1
            """, logger: logger)
        for try await (hub, device) in rows.decode((String?, String?).self) {
            if let hub, let device { return (hub, device) }
        }
        return nil
    }

    /// Takes up to `limit` operations that are due, leasing them for `lease` (another worker
    /// takes one over only once its lease has run out, e.g. after a crash).
    func claimPending(limit: Int, lease: Duration) async throws -> [RegistrationOperation] {
        var query = PostgresQuery(
            unsafeSQL: """
                UPDATE dps_operations SET next_attempt_at = now() + make_interval(secs => $1)
                WHERE operation_id IN (
                    SELECT operation_id FROM dps_operations
                    WHERE status = 'assigning' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                RETURNING \(Self.columns)
                """)
        query.binds.append(lease.seconds)
        query.binds.append(limit)
        let rows = try await client.query(query, logger: logger)
        var operations: [RegistrationOperation] = []
        for try await row in rows { operations.append(try Self.decode(row)) }
        return operations
    }

    /// Ends an operation as `assigned`; `false` when it was no longer `assigning`.
    static func markAssigned(
        _ operationID: String, hub: String, deviceID: String, substatus: String, payload: JSONValue?,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let payloadText = payload.map(JSONText.string)
        let rows = try await connection.query(
            """
            UPDATE dps_operations SET status = 'assigned', assigned_hub = \(hub), device_id = \(deviceID),
                substatus = \(substatus), result_payload = \(payloadText)::jsonb, etag = \(newETag()), updated_at = now()
            WHERE operation_id = \(operationID) AND status = 'assigning'
            RETURNING operation_id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Ends an operation as `failed`.
    func markFailed(_ operationID: String, code: Int, message: String) async throws {
        try await client.query(
            """
            UPDATE dps_operations SET status = 'failed', error_code = \(code), error_message = \(message),
                etag = \(Self.newETag()), updated_at = now()
            WHERE operation_id = \(operationID) AND status = 'assigning'
            """, logger: logger)
    }

    static func decode(_ row: PostgresRow) throws -> RegistrationOperation {
        let (
            id, scope, registration, group, payload, status, substatus, hub, device, result, code, message, etag,
            created,
            updated
        ) = try row.decode(
            (
                String, String, String, String, String?, String, String?, String?, String?, String?, Int?, String?,
                String, Date, Date
            ).self)
        return RegistrationOperation(
            operationID: id, idScope: scope, registrationID: registration, enrollmentGroupID: group,
            payload: JSONText.parse(payload), status: status, substatus: substatus, assignedHub: hub, deviceID: device,
            resultPayload: JSONText.parse(result), errorCode: code, errorMessage: message, etag: etag,
            createdAt: created,
            updatedAt: updated)
    }
}

/// A database statement that returned nothing where it must return a row.
struct EmulatorStoreError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
