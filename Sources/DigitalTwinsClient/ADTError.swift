import ADTWire
import HTTPTransport

/// An error from a ``DigitalTwinsClient`` call: the service's answer (HTTP status, ADT error
/// code, message, request id), or a failure to get one (transport, credentials, an unreadable
/// response).
///
/// Never contains a token or a secret: messages come from the service, libcurl or the identity
/// provider's error description, and request headers are not copied in.
public struct ADTError: Error, Sendable, CustomStringConvertible {
    /// Where the error came from.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The service answered with a non-2xx status: see ``status`` and ``code``.
        public static let service = Kind(name: "service")
        /// No response: see ``transportError``.
        public static let transport = Kind(name: "transport")
        /// No token could be obtained from the credential: see ``underlying``.
        public static let authentication = Kind(name: "authentication")
        /// A 2xx response whose body was not what the API defines.
        public static let invalidResponse = Kind(name: "invalidResponse")
        /// The call's arguments or the client's configuration cannot make a valid request.
        public static let invalidArgument = Kind(name: "invalidArgument")
        /// A one-line rendering for logs and messages.
        public var description: String { name }
    }

    /// An ADT error code (`error.code` of the body, or the `x-ms-error-code` header), from the
    /// one catalogue the service and the functions share.
    public typealias Code = ADTErrorCode

    /// Where the error came from.
    public var kind: Kind
    /// The HTTP status, for ``Kind-swift.struct/service`` errors.
    public var status: Int?
    /// The ADT error code, when the service sent one.
    public var code: Code?
    /// What went wrong, in words.
    public var message: String
    /// The service's id for the request (`x-ms-request-id`, else `traceresponse`), to quote
    /// to support or find in the gateway's log.
    public var requestID: String?
    /// The transport failure, for ``Kind-swift.struct/transport`` errors.
    public var transportError: TransportError?
    /// The cause, when another error led to this one (a credential error, a JSON parse error).
    public var underlying: (any Error)?

    /// An error with every field given.
    public init(
        kind: Kind, status: Int? = nil, code: Code? = nil, message: String, requestID: String? = nil,
        transportError: TransportError? = nil, underlying: (any Error)? = nil
    ) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.transportError = transportError
        self.underlying = underlying
    }

    /// A transport failure.
    public static func transport(_ error: TransportError) -> ADTError {
        ADTError(kind: .transport, message: error.description, transportError: error, underlying: error)
    }

    /// A response that does not match the API.
    public static func invalidResponse(
        _ message: String, status: Int? = nil, requestID: String? = nil, underlying: (any Error)? = nil
    )
        -> ADTError
    {
        ADTError(kind: .invalidResponse, status: status, message: message, requestID: requestID, underlying: underlying)
    }

    /// Arguments that cannot make a valid request.
    public static func invalidArgument(_ message: String) -> ADTError {
        ADTError(kind: .invalidArgument, message: message)
    }

    /// Whether the service answered 404 (twin, model, relationship or component not found).
    public var isNotFound: Bool { kind == .service && status == 404 }
    /// Whether the service answered 412 (an `If-Match` / `If-None-Match` condition failed).
    public var isPreconditionFailed: Bool { kind == .service && status == 412 }

    /// A one-line rendering for logs and messages.
    public var description: String {
        var text: String
        switch kind {
        case .service:
            text = "ADT error \(status.map(String.init) ?? "?")"
            if let code { text += " \(code.rawValue)" }
            text += ": \(message)"
        default:
            text = "\(kind) error: \(message)"
        }
        if let requestID { text += " (request id \(requestID))" }
        return text
    }
}
