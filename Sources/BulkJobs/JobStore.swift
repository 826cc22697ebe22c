import ADTWire
import Foundation
import Logging
import PostgresNIO
import PostgresSupport
import TwinStore

/// Bulk job records in PostgreSQL (`jobs`): create, read, list, cancel and delete them as ADT's
/// `/jobs` API does. Running them is ``JobWorker``'s part.
public struct JobStore: Sendable {
    /// The two kinds of job.
    public enum Kind: String, Sendable {
        /// `/jobs/imports`.
        case `import`
        /// `/jobs/deletions`.
        case delete
    }

    /// How long a finished job's record is kept (ADT's `purgeDateTime` is 30 days after the
    /// job's last action, in its examples and recorded sessions).
    public static let retention = "30 days"
    /// The most jobs one list page holds.
    public static let maximumPageSize = 100
    /// A delete job's time limit when none is given, and the range allowed (ADT: 12 hours,
    /// 15 minutes to 24 hours).
    public static let defaultDeleteTimeout = 720
    /// The range of `timeoutInMinutes`.
    public static let deleteTimeoutRange = 15...1440

    let client: PostgresClient
    let inputs: JobInputPolicy
    let logger: Logger

    /// A store over `client`; `inputs` decides which input and output locations are allowed.
    public init(client: PostgresClient, inputs: JobInputPolicy, logger: Logger) {
        self.client = client
        self.inputs = inputs
        self.logger = logger
    }

    /// Creates an import job (`PUT /jobs/imports/{id}`, 201): its body needs `inputBlobUri` and
    /// `outputBlobUri`; the job waits for a worker in state `notstarted`.
    public func createImport(id: String, body: JSONValue) async throws -> JSONObject {
        try Self.checkID(id)
        guard case .object(let object) = body else {
            throw ServiceError(
                "ValidationFailed", "An import job must be a JSON object with inputBlobUri and outputBlobUri.")
        }
        guard case .string(let input)? = object["inputBlobUri"] else {
            throw ServiceError("ValidationFailed", "The import job has no inputBlobUri (a string).")
        }
        guard case .string(let output)? = object["outputBlobUri"] else {
            throw ServiceError("ValidationFailed", "The import job has no outputBlobUri (a string).")
        }
        _ = try inputs.location(input)
        _ = try inputs.location(output)
        try await insert(
            "INSERT INTO jobs (kind, id, input_uri, output_uri, purge_at) VALUES ('import', \(id), \(input), \(output), clock_timestamp() + interval '30 days')",
            kind: .import, id: id)
        return try await get(.import, id: id)
    }

    /// Creates a delete job (`POST /jobs/deletions`, 202) with the caller's `operation-id` or a
    /// new one, and its time limit in minutes.
    public func createDeletion(id: String?, timeoutMinutes: Int?) async throws -> JSONObject {
        let id = id ?? UUID().uuidString.lowercased()
        try Self.checkID(id)
        let timeout = timeoutMinutes ?? Self.defaultDeleteTimeout
        guard Self.deleteTimeoutRange.contains(timeout) else {
            throw ServiceError(
                "ValidationFailed",
                "timeoutInMinutes must be between \(Self.deleteTimeoutRange.lowerBound) and \(Self.deleteTimeoutRange.upperBound); it is \(timeout)."
            )
        }
        try await insert(
            "INSERT INTO jobs (kind, id, timeout_minutes, purge_at) VALUES ('delete', \(id), \(timeout), clock_timestamp() + interval '30 days')",
            kind: .delete, id: id)
        return try await get(.delete, id: id)
    }

    private func insert(_ statement: PostgresQuery, kind: Kind, id: String) async throws {
        do {
            try await client.tracedQuery(statement, logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            if error.serverInfo?[.constraintName] == "jobs_one_active" {
                throw ServiceError(
                    "JobLimitReached",
                    "The maximum number of bulk jobs running at a time (1) has been reached. Wait for the running job to finish, or cancel it."
                )
            }
            if kind == .import {
                throw ServiceError(
                    "JobIdAlreadyExists",
                    "Provided Job ID already exists: \(id). Use Jobs_List API to view jobs that already exist.")
            }
            throw ServiceError("ValidationFailed", "Operation-Id already exists: \(id).")
        }
    }

    /// The job as ADT serves it, or `ImportJobNotFound` / `DeleteJobNotFound`.
    public func get(_ kind: Kind, id: String) async throws -> JSONObject {
        let rows = try await client.tracedQuery(
            "SELECT \(unescaped: Self.columns) FROM jobs WHERE kind = \(kind.rawValue) AND id = \(id)", logger: logger)
        for try await row in rows.decode(Self.Row.self) { return Self.json(row) }
        throw Self.notFound(kind, id)
    }

    /// One page of jobs of a kind in creation order, after the job with sequence number
    /// `after`, and where the next page starts.
    public func list(_ kind: Kind, after: Int64?, pageSize: Int) async throws -> (jobs: [JSONObject], next: Int64?) {
        let rows = try await client.tracedQuery(
            """
            SELECT \(unescaped: Self.columns) FROM jobs WHERE kind = \(kind.rawValue) AND seq > \(after ?? 0)
            ORDER BY seq LIMIT \(pageSize + 1)
            """, logger: logger)
        var jobs: [Row] = []
        for try await row in rows.decode(Self.Row.self) { jobs.append(row) }
        let more = jobs.count > pageSize
        if more { jobs.removeLast() }
        return (jobs.map(Self.json), more ? jobs.last?.0 : nil)
    }

    /// Cancels an import (`POST /jobs/imports/{id}/cancel`, 200): a running job becomes
    /// `cancelling` and stops after its current batch; one not started yet is `cancelled` at
    /// once. A finished job cannot be cancelled (`ValidationFailed`).
    public func cancelImport(id: String) async throws -> JSONObject {
        let rows = try await client.tracedQuery(
            """
            UPDATE jobs SET
                status = CASE status WHEN 'notstarted' THEN 'cancelled' ELSE 'cancelling' END,
                finished_at = CASE status WHEN 'notstarted' THEN clock_timestamp() ELSE finished_at END,
                last_action_at = clock_timestamp()
            WHERE kind = 'import' AND id = \(id) AND status IN ('notstarted', 'running', 'cancelling')
            RETURNING 1
            """, logger: logger)
        for try await _ in rows { return try await get(.import, id: id) }
        let job = try await get(.import, id: id)
        throw ServiceError(
            "ValidationFailed",
            "The import job \(id) is \(job["status"]?.stringValue ?? "finished") and cannot be cancelled.")
    }

    /// Removes an import job's record (`DELETE /jobs/imports/{id}`, 204) so its id can be used
    /// again. A job still running must be cancelled first (`ValidationFailed`).
    public func deleteImport(id: String) async throws {
        let rows = try await client.tracedQuery(
            """
            DELETE FROM jobs WHERE kind = 'import' AND id = \(id)
                AND status NOT IN ('notstarted', 'running', 'cancelling')
            RETURNING 1
            """, logger: logger)
        for try await _ in rows {
            try await client.tracedQuery("DELETE FROM job_log WHERE job_id = \(id)", logger: logger)
            return
        }
        let job = try await get(.import, id: id)
        throw ServiceError(
            "ValidationFailed",
            "The import job \(id) is \(job["status"]?.stringValue ?? "running"); cancel it and wait until it is cancelled before deleting it."
        )
    }

    // MARK: Rendering

    typealias Row = (
        Int64, String, String, String, String?, String?, String, String, String?, String, String?
    )

    static let columns = """
        seq, kind, id, status, input_uri, output_uri,
        \(timestamp("created_at")), \(timestamp("last_action_at")), \(timestamp("finished_at")),
        \(timestamp("purge_at")), error::text
        """

    /// ADT's date-times: UTC with seven fraction digits (`2023-02-17T21:58:08.5839032Z`).
    static func timestamp(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"0Z\"')"
    }

    /// The job as ADT serves it: an import job `{id, inputBlobUri, outputBlobUri,
    /// createdDateTime, lastActionDateTime, finishedDateTime?, purgeDateTime, status, error?}`,
    /// a delete job without the URIs and `lastActionDateTime`.
    static func json(_ row: Row) -> JSONObject {
        let (_, kind, id, status, input, output, created, lastAction, finished, purge, error) = row
        var out = JSONObject()
        out["id"] = .string(id)
        if kind == Kind.import.rawValue {
            out["inputBlobUri"] = input.map(JSONValue.string) ?? .null
            out["outputBlobUri"] = output.map(JSONValue.string) ?? .null
        }
        out["createdDateTime"] = .string(created)
        if kind == Kind.import.rawValue { out["lastActionDateTime"] = .string(lastAction) }
        if let finished { out["finishedDateTime"] = .string(finished) }
        out["purgeDateTime"] = .string(purge)
        out["status"] = .string(status)
        if let error, let value = try? JSONParser.parse(error) { out["error"] = value }
        return out
    }

    static func notFound(_ kind: Kind, _ id: String) -> ServiceError {
        kind == .import
            ? ServiceError("ImportJobNotFound", "There is no import job with the id \(id).")
            : ServiceError("DeleteJobNotFound", "There is no delete job with the id \(id).")
    }

    /// Job ids: 1 to 256 characters, no control characters and no `/`.
    static func checkID(_ id: String) throws {
        guard !id.isEmpty, id.count <= 256, !id.contains("/"),
            !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw ServiceError(
                "ValidationFailed", "The job id '\(id)' is not valid: use 1 to 256 characters, without '/'.")
        }
    }
}
