import ADTWire
import BulkJobs
import HTTPTypes
import Hummingbird
import PostgresSupport
import TwinStore

/// Routes 25–32 of the ADT data plane: import jobs (`/jobs/imports`, from api-version
/// 2023-06-30) and delete jobs (`/jobs/deletions`, from 2023-10-31, a long-running operation
/// polled at its `Operation-Location`).
struct JobRoutes: Sendable {
    let store: JobStore
    /// Wakes this process's job worker when a job is created.
    let wakeup: Wakeup
    let links: LinkBuilder
    let maxBodyBytes: Int

    func register(on group: RouterGroup<some RequestContext>) {
        group.get("jobs/imports") { request, _ in
            try Self.require(.v2023_06_30, request, "Import jobs")
            return try await list(.import, request, path: "/jobs/imports")
        }
        group.put("jobs/imports/{id}") { request, context in
            try Self.require(.v2023_06_30, request, "Import jobs")
            let job = try await store.createImport(
                id: try TwinRoutes.pathID(context, "id"),
                body: try await ADTResponse.jsonBody(request, limit: maxBodyBytes))
            wakeup.signal()
            return ADTResponse.json(.created, .object(job))
        }
        group.get("jobs/imports/{id}") { request, context in
            try Self.require(.v2023_06_30, request, "Import jobs")
            return ADTResponse.json(
                .ok, .object(try await store.get(.import, id: try TwinRoutes.pathID(context, "id"))))
        }
        group.delete("jobs/imports/{id}") { request, context in
            try Self.require(.v2023_06_30, request, "Import jobs")
            try await store.deleteImport(id: try TwinRoutes.pathID(context, "id"))
            return ADTResponse.noContent()
        }
        group.post("jobs/imports/{id}/cancel") { request, context in
            try Self.require(.v2023_06_30, request, "Import jobs")
            return ADTResponse.json(
                .ok, .object(try await store.cancelImport(id: try TwinRoutes.pathID(context, "id"))))
        }
        group.post("jobs/deletions") { request, _ in
            try Self.require(.v2023_10_31, request, "Delete jobs")
            var timeout: Int?
            if let text = request.uri.queryParameters["timeoutInMinutes"] {
                guard let minutes = Int(text) else {
                    throw ServiceError("ValidationFailed", "timeoutInMinutes must be an integer; it is '\(text)'.")
                }
                timeout = minutes
            }
            let job = try await store.createDeletion(id: request.headers[.operationID], timeoutMinutes: timeout)
            wakeup.signal()
            let id = job["id"]?.stringValue ?? ""
            var headers = HTTPFields()
            headers[.operationLocation] = links.url(
                request, path: "/jobs/deletions/" + LinkBuilder.encode(id), parameters: [])
            headers[.operationID] = id
            return ADTResponse.json(.accepted, .object(job), headers: headers)
        }
        group.get("jobs/deletions") { request, _ in
            try Self.require(.v2023_10_31, request, "Delete jobs")
            return try await list(.delete, request, path: "/jobs/deletions")
        }
        group.get("jobs/deletions/{id}") { request, context in
            try Self.require(.v2023_10_31, request, "Delete jobs")
            return ADTResponse.json(
                .ok, .object(try await store.get(.delete, id: try TwinRoutes.pathID(context, "id"))))
        }
    }

    /// A page of jobs; the continuation token carries the first request's page size.
    func list(_ kind: JobStore.Kind, _ request: Request, path: String) async throws -> Response {
        let token = try request.uri.queryParameters["continuationToken"].map { try Self.decodeToken(String($0)) }
        let pageSize =
            request.headers[.maxItemsPerPage] == nil && token != nil
            ? token!.pageSize : try PageSize.of(request, cap: JobStore.maximumPageSize)
        let page = try await store.list(kind, after: token?.after, pageSize: pageSize)
        var body = JSONObject([(key: "value", value: .array(page.jobs.map { .object($0) }))])
        body["nextLink"] =
            page.next.map {
                .string(
                    links.url(
                        request, path: path,
                        parameters: [("continuationToken", ContinuationToken.encode(key: "\($0)/\(pageSize)"))]))
            } ?? .null
        return ADTResponse.json(.ok, .object(body))
    }

    static func decodeToken(_ token: String) throws -> (after: Int64, pageSize: Int) {
        let key = try ContinuationToken.decodeKey(token)
        let parts = key.split(separator: "/")
        guard parts.count == 2, let after = Int64(parts[0]), let size = Int(parts[1]),
            (1...JobStore.maximumPageSize).contains(size)
        else { throw ContinuationToken.invalid }
        return (after, size)
    }

    /// The jobs API exists from the api-version that introduced it; earlier ones do not have
    /// the route.
    static func require(_ version: APIVersion, _ request: Request, _ what: String) throws {
        let asked = try APIVersion.of(request)
        guard asked >= version else {
            throw ServiceError(
                "NotFound",
                "\(what) are not part of api-version \(asked.rawValue); use \(version.rawValue) or later.")
        }
    }
}

extension HTTPField.Name {
    /// Where a long-running operation is polled.
    static let operationLocation = Self("Operation-Location")!
    /// A delete job's id, chosen by the caller or by the service.
    static let operationID = Self("Operation-Id")!
}
