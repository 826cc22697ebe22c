import DTDL

/// A non-2xx answer from the Digital Twins service, as thrown by a ``DigitalTwinsService``.
///
/// `code` is ADT's error code (`{"error":{"code":…}}` or the `x-ms-error-code` header). When
/// the service sends none, ``init(status:responseBody:)`` picks a generic one by status.
public struct ServiceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// An ADT error code. Extensible: any string the service sends is kept.
    public struct Code: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The code as sent by the service.
        public var rawValue: String
        /// Wraps a code string.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Wraps a code literal.
        public init(stringLiteral value: String) { rawValue = value }
        /// The raw code.
        public var description: String { rawValue }

        /// 400: malformed request.
        public static let badRequest: Code = "BadRequest"
        /// 400: an argument (id, header) is invalid.
        public static let invalidArgument: Code = "InvalidArgument"
        /// 400: the patch document is not valid JSON Patch or targets a missing path.
        public static let jsonPatchInvalid: Code = "JsonPatchInvalid"
        /// 400: the twin does not conform to its model.
        public static let validationFailed: Code = "ValidationFailed"
        /// 400: the model may not be used for new twins.
        public static let modelDecommissioned: Code = "ModelDecommissioned"
        /// 400: a twin with relationships cannot be deleted.
        public static let relationshipsNotDeleted: Code = "RelationshipsNotDeleted"
        /// 401: no or invalid credentials.
        public static let unauthorized: Code = "Unauthorized"
        /// 403: the credentials lack a role.
        public static let forbidden: Code = "Forbidden"
        /// 404: no twin with that id.
        public static let digitalTwinNotFound: Code = "DigitalTwinNotFound"
        /// 404: no relationship with that id.
        public static let relationshipNotFound: Code = "RelationshipNotFound"
        /// 404: no model with that id.
        public static let modelNotFound: Code = "ModelNotFound"
        /// 404 with no code from the service.
        public static let notFound: Code = "NotFound"
        /// 412: `If-Match` / `If-None-Match` failed.
        public static let preconditionFailed: Code = "PreconditionFailed"
        /// 429: throttled.
        public static let tooManyRequests: Code = "TooManyRequests"
        /// 5xx with no code from the service.
        public static let serviceUnavailable: Code = "ServiceUnavailable"
        /// 500 with no code from the service.
        public static let internalServerError: Code = "InternalServerError"
    }

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
            status: status, code: code.map(Code.init(rawValue:)) ?? Self.defaultCode(status: status),
            message: error?["message"]?.stringValue ?? "")
    }

    /// The generic code for a status when the service names none.
    public static func defaultCode(status: Int) -> Code {
        switch status {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 412: return .preconditionFailed
        case 429: return .tooManyRequests
        case 500: return .internalServerError
        default: return status >= 500 ? .serviceUnavailable : Code(rawValue: "HTTP\(status)")
        }
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
