import ADTWire
import DTDL
import Hummingbird
import Logging
import PostgresNIO
import PostgresSupport
import TwinStore

/// `GET /healthz` (the process is up) and `GET /readyz` (the database is reachable and migrated).
///
/// Load balancers and orchestrators use the pair: liveness must not depend on the database,
/// readiness must.
struct HealthRoutes: Sendable {
    let database: PostgresClient
    let databaseURL: DatabaseURL?
    let logger: Logger

    func register(on router: Router<some RequestContext>) {
        router.get("healthz") { _, _ in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("readyz") { _, _ in
            switch await DatabaseReadiness.check(client: database, url: databaseURL, logger: logger) {
            case .ready:
                return Self.json(.ok, #"{"status":"ready"}"#)
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
