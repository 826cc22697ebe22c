import ADTWire
import EventDelivery
import EventRoutes
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import TwinStore

/// Beyond ADT: for the operator (Data Owners), the endpoints with their delivery status
/// (`GET /endpoints`) and the dead letters (`GET /deadletters`, `POST /deadletters/replay`); for
/// any reader, the live stream of notifications (`GET /events?filter=…`, Server-Sent Events).
struct EventDeliveryRoutes: Sendable {
    /// The endpoints of the operator's configuration.
    let endpoints: [EventEndpoint]
    let database: PostgresClient
    let deadLetters: DeadLetterStore
    let stream: EventStream
    let links: LinkBuilder
    let maxBodyBytes: Int
    let logger: Logger

    /// The most dead letters in one page.
    static let maximumPageSize = 1000

    func register(on group: RouterGroup<some RequestContext>) {
        // Names, types and delivery figures; never the settings, which hold addresses and keys.
        group.get("endpoints") { _, _ in
            let status = try await DeliveryStatus.read(client: database, logger: logger)
            let items: [JSONValue] = endpoints.map { endpoint in
                var item = JSONObject([
                    (key: "name", value: .string(endpoint.name)), (key: "type", value: .string(endpoint.kind.rawValue)),
                ])
                for member in (status.endpoints[endpoint.name] ?? DeliveryStatus.Endpoint()).json.members {
                    item[member.key] = member.value
                }
                return .object(item)
            }
            var body = JSONObject([(key: "value", value: .array(items))])
            body["unroutedEvents"] = .integer(Int64(status.unrouted))
            return ADTResponse.json(.ok, .object(body))
        }
        group.get("deadletters") { request, _ in
            let parameters = request.uri.queryParameters
            let endpoint = parameters["endpointName"].map(String.init)
            let after: Int64
            if let token = parameters["continuationToken"] {
                guard let value = Int64(try ContinuationToken.decodeKey(String(token))) else {
                    throw ContinuationToken.invalid
                }
                after = value
            } else {
                after = 0
            }
            let pageSize = try PageSize.of(request, cap: Self.maximumPageSize)
            let letters = try await deadLetters.list(endpoint: endpoint, after: after, limit: pageSize + 1)
            var body = JSONObject([(key: "value", value: .array(letters.prefix(pageSize).map(\.json)))])
            body["nextLink"] = .null
            if letters.count > pageSize {
                var next: [(String, String)] = endpoint.map { [("endpointName", $0)] } ?? []
                next.append(("continuationToken", ContinuationToken.encode(key: String(letters[pageSize - 1].id))))
                body["nextLink"] = .string(links.url(request, path: "/deadletters", parameters: next))
            }
            return ADTResponse.json(.ok, .object(body))
        }
        group.get("events") { request, _ in
            var filter: RouteFilter?
            if let text = request.uri.queryParameters["filter"].map(String.init), !text.isEmpty {
                do throws(RouteFilterError) {
                    filter = try RouteFilter(parsing: text)
                } catch {
                    throw ServiceError(.eventRouteFilterInvalid, error.message)
                }
            }
            let (items, stop) = stream.watch(filter: filter)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: ": watching\n\n"))
                    // The stream ends when the gateway shuts down, or at the first write after the
                    // watcher went away.
                    try await withGracefulShutdownHandler {
                        for await item in items {
                            switch item {
                            case .event(let id, let json):
                                try await writer.write(ByteBuffer(string: "id: \(id)\ndata: \(json)\n\n"))
                            case .keepAlive:
                                try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                            }
                        }
                    } onGracefulShutdown: {
                        stop()
                    }
                    try await writer.finish(nil)
                })
        }
        group.post("deadletters/replay") { request, _ in
            let (ids, endpoint) = try await replayBody(request)
            if let endpoint, !endpoints.contains(where: { $0.name == endpoint }) {
                throw ServiceError.invalidArgument("There is no endpoint named \(endpoint).")
            }
            let count = try await deadLetters.replay(ids: ids, endpoint: endpoint)
            logger.info("dead letters replayed", metadata: ["count": "\(count)"])
            return ADTResponse.json(.ok, ["replayed": .integer(Int64(count))])
        }
    }

    /// `{}` (all), `{"endpointName": "..."}`, `{"ids": ["1", ...]}` or both; an empty body is `{}`.
    func replayBody(_ request: Request) async throws -> (ids: [Int64]?, endpoint: String?) {
        var request = request
        let buffer = try await request.collectBody(upTo: maxBodyBytes)
        guard buffer.readableBytes > 0 else { return (nil, nil) }
        guard case .object(let body)? = try? JSONParser.parse(Array(buffer.readableBytesView)) else {
            throw ServiceError.invalidArgument(
                "The request body must be a JSON object: {}, {\"endpointName\": \"...\"} or {\"ids\": [\"...\"]}.")
        }
        var ids: [Int64]?
        if let value = body["ids"] {
            guard case .array(let items) = value else {
                throw ServiceError.invalidArgument("\"ids\" must be an array of dead letter ids.")
            }
            ids = try items.map { item in
                guard let text = item.stringValue, let id = Int64(text) else {
                    throw ServiceError.invalidArgument("\"ids\" must be an array of dead letter ids (strings).")
                }
                return id
            }
        }
        var endpoint: String?
        if let value = body["endpointName"] {
            guard case .string(let name) = value else {
                throw ServiceError.invalidArgument("\"endpointName\" must be a string.")
            }
            endpoint = name
        }
        return (ids, endpoint)
    }
}
