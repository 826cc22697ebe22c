import ADTWire
import DTDL

/// A non-2xx answer from the Digital Twins service, as thrown by a ``DigitalTwinsService``.
///
/// `code` is ADT's error code (`{"error":{"code":…}}` or the `x-ms-error-code` header). When
/// the service sends none, ``init(status:responseBody:headerCode:)`` picks a generic one by
/// status (``ADTWire/ADTErrorCode/generic(forStatus:)``).
public struct ServiceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// An ADT error code, from the one catalogue the service and the client share.
    public typealias Code = ADTErrorCode

    /// The HTTP status of the service's answer.
    public var status: Int
    /// The ADT error code.
    public var code: Code
    /// The service's message (safe to log: ADT messages carry ids, never secrets).
    public var message: String

    /// A failure with the given status, code and message.
    public init(status: Int, code: Code, message: String = "") {
        self.status = status
        self.code = code
        self.message = message
    }

    /// A failure read from an ADT error response: `{"error":{"code":"…","message":"…"}}`, or
    /// the `x-ms-error-code` header value given as `headerCode`. Unreadable bodies are fine:
    /// the code then comes from the status.
    public init(status: Int, responseBody: [UInt8], headerCode: String? = nil) {
        let error = (try? JSONParser.parse(responseBody))?["error"]
        let code = error?["code"]?.stringValue ?? headerCode
        self.init(
            status: status, code: code.map(Code.init(rawValue:)) ?? .generic(forStatus: status),
            message: error?["message"]?.stringValue ?? "")
    }

    /// 404 `DigitalTwinNotFound`.
    public static func twinNotFound(_ id: String) -> ServiceFailure {
        ServiceFailure(
            status: 404, code: .digitalTwinNotFound,
            message: "There is no digital twin instance that exists with the ID \(id).")
    }

    /// 412 `PreconditionFailed`.
    public static func preconditionFailed(_ message: String = "The precondition (If-Match / If-None-Match) failed.")
        -> ServiceFailure
    {
        ServiceFailure(status: 412, code: .preconditionFailed, message: message)
    }

    /// Whether the resource is missing (404).
    public var isNotFound: Bool { status == 404 }
    /// Whether an ETag condition failed (412).
    public var isPreconditionFailed: Bool { status == 412 }
    /// Whether repeating the same call later may succeed: throttling (429) and server errors
    /// (5xx). 401/403 are not: they need a configuration change.
    public var isTransient: Bool { status == 429 || status >= 500 }

    /// `404 DigitalTwinNotFound: message`.
    public var description: String { message.isEmpty ? "\(status) \(code)" : "\(status) \(code): \(message)" }
}
