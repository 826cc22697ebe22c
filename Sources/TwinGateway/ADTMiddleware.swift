import DTDL
import HTTPTypes
import Hummingbird
import Logging
import Observability
import TwinStore

/// The api-versions of the ADT data plane this gateway speaks.
public enum APIVersion: String, CaseIterable, Sendable, Comparable {
    case v2020_10_31 = "2020-10-31"
    case v2022_05_31 = "2022-05-31"
    case v2023_06_30 = "2023-06-30"
    case v2023_10_31 = "2023-10-31"

    /// `$metadata.$lastUpdateTime` is returned from 2022-05-31 on (as recorded).
    var hasLastUpdateTime: Bool { self >= .v2022_05_31 }

    /// Orders versions by date (their raw values are `yyyy-MM-dd`).
    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The request's api-version; a missing or unknown one is refused.
    static func of(_ request: Request) throws -> APIVersion {
        guard let text = request.uri.queryParameters["api-version"].map(String.init), !text.isEmpty else {
            // Not recorded from ADT; the code and words follow Azure's other services.
            throw ServiceError(
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.")
        }
        guard let version = APIVersion(rawValue: text) else {
            throw ServiceError(
                "InvalidApiVersionParameter",
                "The api-version '\(text)' is invalid. The supported versions are '\(allCases.map(\.rawValue).joined(separator: ","))'."
            )
        }
        return version
    }
}

/// Wraps every ADT route: checks the api-version, answers any failure in ADT's error shape, and
/// adds `traceresponse` (echoing the caller's trace id, as ADT does), the same trace context the
/// request's change notifications carry as `traceparent` and its log lines as trace and span ids
/// (``RequestTrace``): the request span's while tracing is on.
struct ADTMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response: Response
        // The request's trace context: answered as `traceresponse`, carried by its notifications.
        let trace = RequestTrace.traceparent ?? RequestTrace.make(callerTraceparent: request.headers[.traceparent])
        do {
            _ = try APIVersion.of(request)
            response = try await RequestTrace.$traceparent.withValue(trace) {
                try await next(request, context)
            }
        } catch let error as ServiceError {
            response = error.response()
        } catch let error as DTDLError {
            response = ServiceError(error).response()
        } catch let error as HTTPError {
            // Router-level failures (such as a method not allowed) keep their status, in ADT's shape.
            response = ServiceError(
                error.status.code == 404 ? "NotFound" : "BadRequest", error.body ?? error.status.reasonPhrase
            ).withStatus(error.status)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            response = ServiceError("InternalServerError", "The service failed to process the request.").response()
        }
        response.headers[.traceresponse] = trace
        return response
    }
}

extension ServiceError {
    /// The error's response with another status (for router-level failures).
    fileprivate func withStatus(_ status: HTTPResponse.Status) -> Response {
        var r = response()
        r.status = status
        return r
    }
}
