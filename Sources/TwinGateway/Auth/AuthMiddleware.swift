import ADTWire
import DTDL
import HTTPTypes
import Hummingbird
import Logging
import Observability
import TwinStore

/// Lets a request through to an ADT route only with a valid token whose roles allow the route's
/// data action (ADT's: Data Readers read and query; Data Owners do everything). 401 without a
/// valid token, in the shape ADT's front end answers; 403 in ADT's error shape.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let verifier: TokenVerifier
    let logger: Logger
    /// Where refusals are counted by reason (`twins_auth_failures_total`).
    var metrics: ServerMetrics? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do throws(AuthFailure) {
            let principal = try await verifier.principal(authorization: request.headers[.authorization])
            let action = Self.dataAction(request)
            let allowed =
                principal.roles.contains(.owner) || (principal.roles.contains(.reader) && Self.readerMay(action))
            guard allowed else {
                throw AuthFailure.forbidden(
                    "The principal '\(principal.id)' does not have the data action 'Microsoft.DigitalTwins/\(action)'. Assign it the Azure Digital Twins Data Owner role, or Data Reader for reads and queries."
                )
            }
        } catch {
            logger.debug("request refused", metadata: ["status": "\(error.status)", "reason": "\(error.reason)"])
            metrics?.increment("twins_auth_failures_total", [("reason", error.kind)])
            return Self.response(error)
        }
        return try await next(request, context)
    }

    static func response(_ failure: AuthFailure) -> Response {
        if failure.status == 401 {
            // As ADT's front end answers (recorded): not the usual error shape.
            let body = JSONWriter.bytes(
                .object(JSONObject([("statusCode", .integer(401)), ("message", .string("Unauthorized"))])))
            return Response(
                status: .unauthorized, headers: [.contentType: "application/json", .wwwAuthenticate: "Bearer"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        return ServiceError("Forbidden", failure.reason).response()
    }

    /// ADT's data action of a request (BEHAVIOUR.md §8).
    static func dataAction(_ request: Request) -> String {
        let path = request.uri.path.lowercased()
        let area: String
        if path.hasPrefix("/models") {
            area = "models"
        } else if path.hasPrefix("/query") {
            return "query/action"
        } else if path.hasPrefix("/eventroutes") {
            area = "eventroutes"
        } else if path.hasPrefix("/endpoints") {
            area = "endpoints"
        } else if path.hasPrefix("/deadletters") {
            area = "deadletters"
        } else if path == "/events" {
            area = "events"
        } else if path.hasPrefix("/jobs") {
            area = "jobs"
        } else if path.hasSuffix("/telemetry") {
            return "digitaltwins/commands/action"
        } else if path.contains("/relationships") || path.contains("/incomingrelationships") {
            area = "digitaltwins/relationships"
        } else {
            area = "digitaltwins"
        }
        switch request.method {
        case .get, .head: return "\(area)/read"
        case .delete: return "\(area)/delete"
        case .post where area == "models": return "models/action"
        default: return "\(area)/write"
        }
    }

    /// Readers read and query; the endpoint configuration and the delivery state are the
    /// operator's (in ADT they live in the control plane), so only owners may read them.
    static func readerMay(_ action: String) -> Bool {
        (action.hasSuffix("/read") && action != "endpoints/read" && action != "deadletters/read")
            || action == "query/action"
    }
}
