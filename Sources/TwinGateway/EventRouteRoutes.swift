import ADTWire
import EventRoutes
import Hummingbird
import TwinStore

/// Routes 21–24 of the ADT data plane: event routes (`PUT`, `GET`, `DELETE /eventroutes/{id}`
/// and the paged list `GET /eventroutes`).
struct EventRouteRoutes: Sendable {
    let store: EventRouteStore
    let links: LinkBuilder
    let maxBodyBytes: Int

    func register(on group: RouterGroup<some RequestContext>) {
        group.put("eventroutes/{id}") { request, context in
            try await store.put(
                id: try TwinRoutes.pathID(context, "id"),
                body: try await ADTResponse.jsonBody(request, limit: maxBodyBytes))
            return ADTResponse.noContent()
        }
        group.get("eventroutes/{id}") { _, context in
            ADTResponse.json(.ok, .object(try await store.get(id: try TwinRoutes.pathID(context, "id"))))
        }
        group.delete("eventroutes/{id}") { _, context in
            try await store.delete(id: try TwinRoutes.pathID(context, "id"))
            return ADTResponse.noContent()
        }
        group.get("eventroutes") { request, _ in try await list(request) }
    }

    /// A page of routes; the continuation token carries the first request's page size, as the
    /// models list's does (SDKs send `max-items-per-page` once and then follow `nextLink`).
    func list(_ request: Request) async throws -> Response {
        let token = try request.uri.queryParameters["continuationToken"].map { try Self.decodeToken(String($0)) }
        let pageSize =
            request.headers[.maxItemsPerPage] == nil && token != nil
            ? token!.pageSize : try PageSize.of(request, cap: EventRouteStore.maximumPageSize)
        let page = try await store.list(after: token?.after, pageSize: pageSize)
        var body = JSONObject([(key: "value", value: .array(page.routes.map { .object($0) }))])
        body["nextLink"] =
            page.next.map {
                .string(
                    links.url(
                        request, path: "/eventroutes",
                        parameters: [("continuationToken", ContinuationToken.encode(key: "\($0)/\(pageSize)"))]))
            } ?? .null
        return ADTResponse.json(.ok, .object(body))
    }

    static func decodeToken(_ token: String) throws -> (after: String, pageSize: Int) {
        let key = try ContinuationToken.decodeKey(token)
        guard let slash = key.lastIndex(of: "/"), let size = Int(key[key.index(after: slash)...]),
            (1...EventRouteStore.maximumPageSize).contains(size)
        else { throw ContinuationToken.invalid }
        return (String(key[..<slash]), size)
    }
}
