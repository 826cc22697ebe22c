import DTDL
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// Enrollment groups in `dps_enrollment_groups`.
struct EnrollmentStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Why a write was refused.
    enum WriteError: Error {
        /// `If-Match` named another etag (or the group does not exist).
        case preconditionFailed
    }

    private static let columns = """
        id, primary_key, secondary_key, allocation_policy, webhook_url, webhook_key, webhook_api_version, \
        iot_hubs, initial_twin::text, enabled, etag, created_at, updated_at
        """

    /// Creates or replaces a group. Keys left out are kept from the stored group, or generated.
    ///
    /// - Parameter ifMatch: an etag the stored group must have (`*`: must exist).
    /// - Returns: the stored group.
    func put(_ group: EnrollmentGroup, ifMatch: String? = nil) async throws -> EnrollmentGroup {
        try await client.transaction(logger: logger) { connection in
            let existing = try await Self.get(group.id, forUpdate: true, on: connection, logger: logger)
            if let ifMatch {
                guard let existing, ifMatchAccepts(ifMatch, existing.etag ?? "") else {
                    throw WriteError.preconditionFailed
                }
            }
            let primary = group.primaryKey ?? existing?.primaryKey ?? EmulatorRandom.key()
            let secondary = group.secondaryKey ?? existing?.secondaryKey ?? EmulatorRandom.key()
            let twin = group.initialTwin.map { JSONText.string(.object($0)) }
            let etag = "\"" + EmulatorRandom.uuid() + "\""
            try await connection.query(
                """
                INSERT INTO dps_enrollment_groups (id, primary_key, secondary_key, allocation_policy, webhook_url,
                    webhook_key, webhook_api_version, iot_hubs, initial_twin, enabled, etag)
                VALUES (\(group.id), \(primary), \(secondary), \(group.allocationPolicy.rawValue), \(group.webhookURL),
                    \(group.webhookKey), \(group.webhookAPIVersion), \(group.iotHubs), \(twin)::jsonb, \(group.isEnabled),
                    \(etag))
                ON CONFLICT (id) DO UPDATE SET primary_key = excluded.primary_key,
                    secondary_key = excluded.secondary_key, allocation_policy = excluded.allocation_policy,
                    webhook_url = excluded.webhook_url, webhook_key = excluded.webhook_key,
                    webhook_api_version = excluded.webhook_api_version, iot_hubs = excluded.iot_hubs,
                    initial_twin = excluded.initial_twin, enabled = excluded.enabled, etag = excluded.etag,
                    updated_at = now()
                """, logger: logger)
            guard let stored = try await Self.get(group.id, forUpdate: false, on: connection, logger: logger) else {
                throw WriteError.preconditionFailed
            }
            return stored
        }
    }

    /// The group, or `nil`.
    func get(_ id: String) async throws -> EnrollmentGroup? {
        try await client.withConnection { try await Self.get(id, forUpdate: false, on: $0, logger: logger) }
    }

    /// Every group, by id.
    func list() async throws -> [EnrollmentGroup] {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM dps_enrollment_groups ORDER BY id"), logger: logger)
        var groups: [EnrollmentGroup] = []
        for try await row in rows { groups.append(try Self.decode(row)) }
        return groups
    }

    /// Deletes the group; `false` when there was none.
    ///
    /// - Throws: ``WriteError/preconditionFailed`` when `ifMatch` names another etag.
    func delete(_ id: String, ifMatch: String? = nil) async throws -> Bool {
        try await client.transaction(logger: logger) { connection in
            guard let existing = try await Self.get(id, forUpdate: true, on: connection, logger: logger) else {
                if ifMatch != nil { throw WriteError.preconditionFailed }
                return false
            }
            if let ifMatch, !ifMatchAccepts(ifMatch, existing.etag ?? "") { throw WriteError.preconditionFailed }
            try await connection.query("DELETE FROM dps_enrollment_groups WHERE id = \(id)", logger: logger)
            return true
        }
    }

    static func get(_ id: String, forUpdate: Bool, on connection: PostgresConnection, logger: Logger) async throws
        -> EnrollmentGroup?
    {
        var query = PostgresQuery(
            unsafeSQL: "SELECT \(columns) FROM dps_enrollment_groups WHERE id = $1" + (forUpdate ? " FOR UPDATE" : ""))
        query.binds.append(id)
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func decode(_ row: PostgresRow) throws -> EnrollmentGroup {
        let (id, primary, secondary, policy, url, key, apiVersion, hubs, twin, enabled, etag, created, updated) =
            try row.decode(
                (String, String, String, String, String?, String?, String, [String], String?, Bool, String, Date, Date)
                    .self)
        var group = EnrollmentGroup(
            id: id, primaryKey: primary, secondaryKey: secondary,
            allocationPolicy: EnrollmentGroup.AllocationPolicy(rawValue: policy) ?? .custom, webhookURL: url,
            webhookKey: key, webhookAPIVersion: apiVersion, iotHubs: hubs,
            initialTwin: JSONText.parse(twin)?.objectValue,
            isEnabled: enabled)
        group.etag = etag
        group.createdAt = created
        group.updatedAt = updated
        return group
    }
}
