import ADTWire
import HTTPTransport

/// An import or delete job as the service returns it.
public struct BulkJob: Sendable, Hashable {
    /// The job's id.
    public var id: String
    /// `notstarted`, `running`, `failed`, `succeeded`, `cancelling` or `cancelled`.
    public var status: String
    /// An import job's input and output locations.
    public var inputBlobURI: String?
    /// Where an import job writes its log.
    public var outputBlobURI: String?
    /// When the job was created, started, last acted and ended (the service's date-time text).
    public var createdDateTime: String?
    /// The job's last action.
    public var lastActionDateTime: String?
    /// When the job ended, once it has.
    public var finishedDateTime: String?
    /// When the service forgets the job.
    public var purgeDateTime: String?
    /// Why a failed job failed: the service's code and message.
    public var error: (code: String, message: String)? {
        guard case .object(let e)? = json["error"] else { return nil }
        return (e["code"]?.stringValue ?? "", e["message"]?.stringValue ?? "")
    }
    /// The job as returned.
    public var json: JSONObject

    /// Whether the job has ended (succeeded, failed or cancelled).
    public var isFinished: Bool { ["succeeded", "failed", "cancelled"].contains(status) }

    init(json: JSONObject) throws {
        guard case .string(let id)? = json["id"], case .string(let status)? = json["status"] else {
            throw ADTError.invalidResponse("a job lacks id or status")
        }
        self.id = id
        self.status = status
        self.json = json
        inputBlobURI = json["inputBlobUri"]?.stringValue
        outputBlobURI = json["outputBlobUri"]?.stringValue
        createdDateTime = json["createdDateTime"]?.stringValue
        lastActionDateTime = json["lastActionDateTime"]?.stringValue
        finishedDateTime = json["finishedDateTime"]?.stringValue
        purgeDateTime = json["purgeDateTime"]?.stringValue
    }

    /// Compares the returned JSON.
    public static func == (lhs: BulkJob, rhs: BulkJob) -> Bool { lhs.json == rhs.json }
    /// Hashes the returned JSON.
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}

extension DigitalTwinsClient {
    /// Creates an import job of the NDJSON file at `inputBlobURI`, logging to `outputBlobURI`
    /// (`PUT /jobs/imports/{id}`, api-version 2023-06-30 or later).
    public func createImportJob(id: String, inputBlobURI: String, outputBlobURI: String) async throws -> BulkJob {
        let body: JSONValue = .object(
            JSONObject([
                (key: "inputBlobUri", value: .string(inputBlobURI)),
                (key: "outputBlobUri", value: .string(outputBlobURI)),
            ]))
        return try BulkJob(
            json: try object(
                try await perform(Call(method: .put, path: ["jobs", "imports", id], body: Self.body(body)))))
    }

    /// One import job (`GET /jobs/imports/{id}`).
    public func getImportJob(id: String) async throws -> BulkJob {
        try BulkJob(json: try object(try await perform(Call(method: .get, path: ["jobs", "imports", id]))))
    }

    /// Every import job, following `nextLink` (`GET /jobs/imports`).
    public func listImportJobs(maxItemsPerPage: Int? = nil) -> ItemSequence<ListPage<BulkJob>> {
        listJobs(["jobs", "imports"], maxItemsPerPage: maxItemsPerPage)
    }

    /// Cancels an import job (`POST /jobs/imports/{id}/cancel`); it stops after its batch.
    public func cancelImportJob(id: String) async throws -> BulkJob {
        try BulkJob(
            json: try object(
                try await perform(Call(method: .post, path: ["jobs", "imports", id, "cancel"], idempotent: true))))
    }

    /// Removes a finished import job's record (`DELETE /jobs/imports/{id}`).
    public func deleteImportJob(id: String) async throws {
        _ = try await perform(Call(method: .delete, path: ["jobs", "imports", id]))
    }

    /// Starts a job deleting every model, twin and relationship (`POST /jobs/deletions`,
    /// api-version 2023-10-31); `operationID` names it (the service picks one otherwise; sent
    /// with every retry, so a retried request cannot start two jobs).
    public func startDeleteJob(operationID: String? = nil, timeoutInMinutes: Int? = nil) async throws -> BulkJob {
        var call = Call(method: .post, path: ["jobs", "deletions"])
        if let operationID {
            call.headers["operation-id"] = operationID
            call.idempotent = true
        }
        if let timeoutInMinutes { call.query.append(("timeoutInMinutes", String(timeoutInMinutes))) }
        return try BulkJob(json: try object(try await perform(call)))
    }

    /// One delete job (`GET /jobs/deletions/{id}`).
    public func getDeleteJob(id: String) async throws -> BulkJob {
        try BulkJob(json: try object(try await perform(Call(method: .get, path: ["jobs", "deletions", id]))))
    }

    /// Every delete job, following `nextLink` (`GET /jobs/deletions`).
    public func listDeleteJobs(maxItemsPerPage: Int? = nil) -> ItemSequence<ListPage<BulkJob>> {
        listJobs(["jobs", "deletions"], maxItemsPerPage: maxItemsPerPage)
    }

    /// Polls a job every `interval` until it has ended; returns it.
    public func waitForJob(
        _ job: BulkJob, deletion: Bool = false, interval: Duration = .seconds(1), timeout: Duration? = nil
    ) async throws -> BulkJob {
        var current = job
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while !current.isFinished {
            if let deadline, ContinuousClock.now >= deadline {
                throw ADTError.invalidResponse("job \(job.id) is still \(current.status)")
            }
            try await Task.sleep(for: interval)
            current = deletion ? try await getDeleteJob(id: job.id) : try await getImportJob(id: job.id)
        }
        return current
    }

    private func listJobs(_ path: [String], maxItemsPerPage: Int?) -> ItemSequence<ListPage<BulkJob>> {
        var call = Call(method: .get, path: path)
        if let maxItemsPerPage { call.headers["max-items-per-page"] = String(maxItemsPerPage) }
        return pagedList(call) { value in
            guard case .object(let object) = value else { throw ADTError.invalidResponse("a job is not an object") }
            return try BulkJob(json: object)
        }
    }
}
