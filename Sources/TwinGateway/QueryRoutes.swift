import ADTWire
import DTDL
import HTTPTypes
import Hummingbird
import TwinStore

/// Route 6 of the ADT data plane: `POST /query`.
struct QueryRoutes: Sendable {
    let store: QueryStore
    let maxBodyBytes: Int

    func register(on group: RouterGroup<some RequestContext>) {
        group.post("query") { request, context in
            let body = try await ADTResponse.jsonBody(request, limit: maxBodyBytes)
            guard case .object(let specification) = body else {
                throw ServiceError(
                    "BadRequest", "The query specification must be a JSON object with a query or a continuation token.")
            }
            let query = try Self.optionalString(specification, "query")
            let token = try Self.optionalString(specification, "continuationToken")
            let pageSize =
                try request.headers[.maxItemsPerPage] == nil
                ? nil : PageSize.of(request, cap: QueryStore.maximumPageSize)
            let page = try await store.run(
                query: query, continuationToken: token, pageSize: pageSize,
                withLastUpdateTime: try APIVersion.of(request).hasLastUpdateTime)
            return ADTResponse.json(bytes: page.body, headers: [.queryCharge: page.charge])
        }
    }

    /// A string member, absent or null meaning nil.
    static func optionalString(_ object: JSONObject, _ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw ServiceError("BadRequest", "'\(key)' must be a string.")
        }
    }
}

extension HTTPField.Name {
    /// The cost of a query, in ADT's query units (see docs/query.md for the formula).
    static let queryCharge = Self("query-charge")!
}
