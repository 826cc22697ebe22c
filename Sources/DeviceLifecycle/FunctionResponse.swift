import ADTWire
import DTDL

/// What a function answers: an HTTP status, optional extra headers and a small JSON body.
///
/// The hosting layer (HTTP server, Event Hubs consumer) turns this into its own response. The
/// status carries the retry decision: 2xx done, 4xx final (the input can never succeed:
/// malformed, unknown device or model), 429/5xx retry later (the Digital Twins service was
/// unreachable, throttled or failing). See ``shouldRetry``.
public struct FunctionResponse: Sendable, Hashable {
    /// HTTP status.
    public var status: Int
    /// Extra response headers (for example `WebHook-Allowed-Origin`); `Content-Type` is
    /// always `application/json` and not listed.
    public var headers: [String: String]
    /// The JSON body.
    public var body: JSONValue

    /// A response with the given status, body and extra headers.
    public init(status: Int, body: JSONValue, headers: [String: String] = [:]) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    /// The body as UTF-8 JSON.
    public var bodyBytes: [UInt8] { JSONWriter.bytes(body) }

    /// Whether the sender should deliver the same input again later (429 or 5xx).
    public var shouldRetry: Bool { status == 429 || status >= 500 }

    /// Whether the input was handled (2xx).
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// An error response in ADT's shape: `{"error":{"code":…,"message":…}}`.
    public static func error(status: Int, code: String, message: String) -> FunctionResponse {
        FunctionResponse(status: status, body: ["error": ["code": .string(code), "message": .string(message)]])
    }

    /// 400 `BadRequest` with a message saying what is wrong with the input.
    public static func badRequest(_ message: String) -> FunctionResponse {
        .error(status: 400, code: "BadRequest", message: message)
    }

    /// The response for an error thrown while talking to the Digital Twins service.
    ///
    /// - ``ServiceFailure`` 429 and 5xx → 503 (retry); 401/403 → 502 (our credentials or
    ///   role assignment are wrong: fixable without changing the input, so also retried);
    ///   any other 4xx → the same status (final).
    /// - ``ContentionError`` (optimistic-concurrency retries exhausted) → 503.
    /// - Anything else (transport) → 503.
    static func failure(_ error: any Error, doing action: String) -> FunctionResponse {
        switch error {
        case let failure as ServiceFailure:
            if failure.isTransient {
                return .error(
                    status: 503, code: "ServiceUnavailable",
                    message: "Digital Twins answered \(failure) while \(action); retry later.")
            }
            if failure.status == 401 || failure.status == 403 {
                return .error(
                    status: 502, code: "BadGateway",
                    message: "Digital Twins refused our credentials (\(failure)) while \(action).")
            }
            return .error(status: failure.status, code: failure.code.rawValue, message: "\(action): \(failure)")
        case let contention as ContentionError:
            return .error(
                status: 503, code: "ServiceUnavailable", message: "\(contention) while \(action); retry later.")
        default:
            return .error(
                status: 503, code: "ServiceUnavailable",
                message: "Digital Twins could not be reached while \(action): \(error)")
        }
    }
}

/// Thrown when an optimistic-concurrency loop (re-read, retry on 412) gives up after its
/// bounded number of attempts: the twin keeps changing under us.
public struct ContentionError: Error, Sendable, CustomStringConvertible {
    /// The twin that kept changing.
    public var twinID: String
    /// How many attempts were made.
    public var attempts: Int

    /// Contention on `twinID` after `attempts` attempts.
    public init(twinID: String, attempts: Int) {
        self.twinID = twinID
        self.attempts = attempts
    }

    /// A sentence for logs and error bodies.
    public var description: String { "twin \(twinID) kept changing (\(attempts) attempts, each answered 412)" }
}

/// Input that can never be handled (answered 400 with ``message``): not JSON, the wrong
/// shape, or a required member missing.
public struct MalformedInput: Error, Sendable, Hashable, CustomStringConvertible {
    /// A sentence saying what is wrong, safe to return to the sender.
    public var message: String
    /// Wraps a message.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
