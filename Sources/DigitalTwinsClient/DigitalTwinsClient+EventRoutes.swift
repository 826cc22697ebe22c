import ADTWire

/// An event route as the service returns it.
public struct EventRouteData: Sendable, Hashable {
    /// The route's id.
    public var id: String
    /// The endpoint that receives what the route matches.
    public var endpointName: String
    /// The route's filter, as written.
    public var filter: String

    /// A route's data.
    public init(id: String, endpointName: String, filter: String) {
        self.id = id
        self.endpointName = endpointName
        self.filter = filter
    }

    init(json: JSONObject) throws {
        guard case .string(let id)? = json["id"], case .string(let endpointName)? = json["endpointName"],
            case .string(let filter)? = json["filter"]
        else { throw ADTError.invalidResponse("an event route lacks id, endpointName or filter") }
        self.init(id: id, endpointName: endpointName, filter: filter)
    }
}

extension DigitalTwinsClient {
    /// Adds the route, or replaces the one with that id (`PUT /eventroutes/{id}`).
    public func upsertEventRoute(id: String, endpointName: String, filter: String) async throws {
        let body: JSONValue = .object(
            JSONObject([(key: "endpointName", value: .string(endpointName)), (key: "filter", value: .string(filter))]))
        _ = try await perform(Call(method: .put, path: ["eventroutes", id], body: Self.body(body)))
    }

    /// One route (`GET /eventroutes/{id}`).
    public func getEventRoute(id: String) async throws -> EventRouteData {
        try EventRouteData(json: try object(try await perform(Call(method: .get, path: ["eventroutes", id]))))
    }

    /// All routes, following `nextLink` page by page (`GET /eventroutes`).
    public func listEventRoutes(maxItemsPerPage: Int? = nil) -> ItemSequence<ListPage<EventRouteData>> {
        var call = Call(method: .get, path: ["eventroutes"])
        if let maxItemsPerPage { call.headers["max-items-per-page"] = String(maxItemsPerPage) }
        return pagedList(call) { value in
            guard case .object(let object) = value else {
                throw ADTError.invalidResponse("a route item is not an object")
            }
            return try EventRouteData(json: object)
        }
    }

    /// Deletes a route (`DELETE /eventroutes/{id}`).
    public func deleteEventRoute(id: String) async throws {
        _ = try await perform(Call(method: .delete, path: ["eventroutes", id]))
    }
}
