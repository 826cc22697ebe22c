import ADTWire
import EventRoutes
import Logging
import PostgresNIO
import PostgresSupport

/// Event routes in PostgreSQL: add or replace, get, list, delete. Routes name endpoints of the
/// operator's configuration; their number is limited per instance, as ADT limits it.
public struct EventRouteStore: Sendable {
    /// The most routes one list page holds.
    public static let maximumPageSize = 100

    let client: PostgresClient
    let endpoints: Set<String>
    let limit: Int
    let logger: Logger

    /// A store over `client`, accepting routes to the endpoints named in `endpoints`, at most
    /// `limit` routes in all.
    public init(
        client: PostgresClient, endpoints: Set<String>, limit: Int = EventRoute.defaultLimit, logger: Logger
    ) {
        self.client = client
        self.endpoints = endpoints
        self.limit = limit
        self.logger = logger
    }

    /// Adds the route, or replaces the one with its id; all-or-nothing, and checked first: the
    /// id, the filter, the endpoint, then the limit (a replacement does not count against it).
    public func put(id: String, body: JSONValue) async throws {
        guard EventRoute.isValidID(id) else { throw ServiceError.eventRouteIDInvalid(id) }
        guard case .object(let object) = body else {
            throw ServiceError.invalidArgument("An event route must be a JSON object with endpointName and filter.")
        }
        guard case .string(let endpointName)? = object["endpointName"] else {
            throw ServiceError.invalidArgument("The event route has no endpointName (a string).")
        }
        guard case .string(let filterText)? = object["filter"] else {
            throw ServiceError.invalidArgument("The event route has no filter (a string).")
        }
        do {
            _ = try RouteFilter(parsing: filterText)
        } catch {
            throw ServiceError(.eventRouteFilterInvalid, error.message)
        }
        guard endpoints.contains(endpointName) else { throw ServiceError.eventRouteEndpointInvalid(endpointName) }
        let limit = self.limit
        try await client.transaction(logger: logger) { connection in
            // One writer of routes at a time, so that two new routes cannot both pass the count.
            _ = try await connection.tracedQuery(
                "SELECT pg_advisory_xact_lock(hashtext('event_routes'))", logger: logger)
            let rows = try await connection.tracedQuery(
                """
                INSERT INTO event_routes (id, endpoint_name, filter)
                SELECT \(id), \(endpointName), \(filterText)
                WHERE (SELECT count(*) FROM event_routes WHERE id <> \(id)) < \(limit)
                ON CONFLICT (id) DO UPDATE
                SET endpoint_name = EXCLUDED.endpoint_name, filter = EXCLUDED.filter, updated_at = now()
                RETURNING 1
                """, logger: logger)
            for try await _ in rows { return }
            throw ServiceError(
                .limitExceeded,
                "The maximum number of event routes allowed (\(limit)) has been reached. "
                    + "Delete an event route before adding another.")
        }
    }

    /// The route as ADT serves it: `{"id", "endpointName", "filter"}`.
    public func get(id: String) async throws -> JSONObject {
        let rows = try await client.tracedQuery(
            "SELECT id, endpoint_name, filter FROM event_routes WHERE id = \(id)", logger: logger)
        for try await (id, endpointName, filter) in rows.decode((String, String, String).self) {
            return Self.json(id: id, endpointName: endpointName, filter: filter)
        }
        throw ServiceError.eventRouteNotFound()
    }

    /// One page of routes in id order, starting after `after`, and the id to continue after.
    public func list(after: String?, pageSize: Int) async throws -> (routes: [JSONObject], next: String?) {
        let size = min(max(pageSize, 1), Self.maximumPageSize)
        let rows = try await client.tracedQuery(
            """
            SELECT id, endpoint_name, filter FROM event_routes
            WHERE \(after ?? "") = '' OR id > \(after ?? "")
            ORDER BY id LIMIT \(size + 1)
            """, logger: logger)
        var routes: [JSONObject] = []
        var lastID: String?
        for try await (id, endpointName, filter) in rows.decode((String, String, String).self) {
            guard routes.count < size else { return (routes, lastID) }
            routes.append(Self.json(id: id, endpointName: endpointName, filter: filter))
            lastID = id
        }
        return (routes, nil)
    }

    /// Deletes the route.
    public func delete(id: String) async throws {
        let rows = try await client.tracedQuery("DELETE FROM event_routes WHERE id = \(id) RETURNING 1", logger: logger)
        for try await _ in rows { return }
        throw ServiceError.eventRouteNotFound()
    }

    static func json(id: String, endpointName: String, filter: String) -> JSONObject {
        JSONObject([
            (key: "id", value: .string(id)), (key: "endpointName", value: .string(endpointName)),
            (key: "filter", value: .string(filter)),
        ])
    }
}

extension ServiceError {
    /// No route with that id (`EventRouteNotFound`, 404), in ADT's words.
    static func eventRouteNotFound() -> ServiceError {
        ServiceError(
            .eventRouteNotFound,
            "There is no route available that matches the provided input. Check for all valid event routes by "
                + "calling EventRoute_List. See Swagger example (https://aka.ms/RouteSwSmpl).")
    }

    /// An endpoint the configuration does not define (`EventRouteEndpointInvalid`).
    static func eventRouteEndpointInvalid(_ name: String) -> ServiceError {
        ServiceError(
            .eventRouteEndpointInvalid,
            "The endpoint provided does not exist or is not active: \(name). "
                + "Endpoints are defined by the gateway's endpoint configuration (twins serve --endpoints).")
    }

    /// A route id that cannot be used (`EventRouteIdInvalid`).
    static func eventRouteIDInvalid(_ id: String) -> ServiceError {
        ServiceError(
            .eventRouteIdInvalid,
            "The event route id is invalid: '\(id)'. Use 1 to 256 letters, digits and the characters - _ . ~ :.")
    }
}
