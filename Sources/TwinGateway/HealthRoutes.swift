import ADTWire
import DTDL
import EventDelivery
import EventRoutes
import Hummingbird
import Logging
import PostgresNIO
import PostgresSupport
import TwinStore

/// `GET /healthz` (the process is up) and `GET /readyz` (the database is reachable and migrated).
///
/// Load balancers and orchestrators use the pair: liveness must not depend on the database,
/// readiness must. A ready answer also carries event delivery's backlog per endpoint (numbers and
/// names only: it needs no token), which does not decide readiness: a slow endpoint is not a
/// reason to take the gateway out of service.
struct HealthRoutes: Sendable {
    let database: PostgresClient
    let databaseURL: DatabaseURL?
    let endpoints: [EventEndpoint]
    let logger: Logger

    func register(on router: Router<some RequestContext>) {
        router.get("healthz") { _, _ in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("readyz") { _, _ in
            switch await DatabaseReadiness.check(client: database, url: databaseURL, logger: logger) {
            case .ready:
                guard !endpoints.isEmpty else { return Self.json(.ok, #"{"status":"ready"}"#) }
                var body = JSONObject([(key: "status", value: "ready")])
                if let status = try? await DeliveryStatus.read(client: database, logger: logger) {
                    let items: [JSONValue] = endpoints.map { endpoint in
                        let figures = status.endpoints[endpoint.name] ?? DeliveryStatus.Endpoint()
                        return .object(
                            JSONObject([
                                (key: "name", value: .string(endpoint.name)),
                                (key: "backlog", value: .integer(Int64(figures.backlog))),
                                (
                                    key: "oldestUndeliveredAgeSeconds",
                                    value: figures.json["oldestUndeliveredAgeSeconds"]!
                                ),
                                (key: "deadLetters", value: .integer(Int64(figures.deadLetters))),
                            ]))
                    }
                    body["eventDelivery"] = .object(
                        JSONObject([
                            (key: "unroutedEvents", value: .integer(Int64(status.unrouted))),
                            (key: "endpoints", value: .array(items)),
                        ]))
                }
                return Self.json(.ok, JSONWriter.string(.object(body)))
            case .notReady(let reason):
                logger.warning("not ready", metadata: ["reason": "\(reason)"])
                let body: JSONValue = ["status": "unavailable", "reason": .string(reason)]
                return Self.json(.serviceUnavailable, JSONWriter.string(body))
            }
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
