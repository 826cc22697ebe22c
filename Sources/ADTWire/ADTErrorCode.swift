/// An Azure Digital Twins error code (`error.code` of the body, or the `x-ms-error-code`
/// header) and the HTTP status ADT answers it with: the one catalogue of codes that the store
/// throws, the gateway renders, and the client and the functions read back.
///
/// Open, as PostgresNIO's `PSQLError.Code`: any string a service sends is kept; the codes we
/// produce or test for have names.
public struct ADTErrorCode: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The code as ADT spells it on the wire.
    public var rawValue: String
    /// A code with this wire spelling.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A code with this wire spelling.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// A code from a string literal.
    public init(stringLiteral value: String) { rawValue = value }
    /// The wire spelling.
    public var description: String { rawValue }

    /// The HTTP status ADT answers with for this code (400 for codes not in the table).
    public var httpStatus: Int { Self.statusByCode[rawValue] ?? 400 }

    /// The generic code for a status when a service names none.
    public static func generic(forStatus status: Int) -> ADTErrorCode {
        switch status {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 412: return .preconditionFailed
        case 429: return .tooManyRequests
        case 500: return .internalServerError
        default: return status >= 500 ? .serviceUnavailable : ADTErrorCode("HTTP\(status)")
        }
    }

    /// ADT's statuses for its codes (the 2023-10-31 specification and recorded sessions); the
    /// rest are 400.
    static let statusByCode: [String: Int] = [
        "ModelNotFound": 404, "DigitalTwinNotFound": 404, "RelationshipNotFound": 404, "TargetTwinNotFound": 404,
        "TargetDigitalTwinNotFound": 404, "ComponentNotFound": 404, "EventRouteNotFound": 404,
        "ImportJobNotFound": 404, "DeleteJobNotFound": 404, "NotFound": 404,
        "ModelAlreadyExists": 409, "ModelIdAlreadyExists": 409, "ModelReferencesNotDecommissioned": 409,
        "ModelReferencesNotDeleted": 409, "RelationshipAlreadyExists": 409, "JobIdAlreadyExists": 409,
        "Unauthorized": 401,
        "Forbidden": 403,
        "PreconditionFailed": 412,
        "PayloadTooLarge": 413,
        "QuotaReachedError": 429, "TooManyRequests": 429,
        "InternalServerError": 500,
        "ServiceUnavailable": 503,
    ]
}

extension ADTErrorCode {
    /// 400: a malformed request.
    public static let badRequest: Self = "BadRequest"
    /// 404: no component with that name on the twin.
    public static let componentNotFound: Self = "ComponentNotFound"
    /// 400: a model is not valid DTDL.
    public static let dtdlParserError: Self = "DTDLParserError"
    /// 404: no twin with that id.
    public static let digitalTwinNotFound: Self = "DigitalTwinNotFound"
    /// 403: the credentials lack a role.
    public static let forbidden: Self = "Forbidden"
    /// 500: an unexpected failure of the service.
    public static let internalServerError: Self = "InternalServerError"
    /// 400: an argument (id, header, body) is invalid.
    public static let invalidArgument: Self = "InvalidArgument"
    /// 400: an event route names an endpoint that does not exist.
    public static let eventRouteEndpointInvalid: Self = "EventRouteEndpointInvalid"
    /// 400: an event route's filter is not in the filter language.
    public static let eventRouteFilterInvalid: Self = "EventRouteFilterInvalid"
    /// 400: an event route id that cannot be used.
    public static let eventRouteIdInvalid: Self = "EventRouteIdInvalid"
    /// 404: no event route with that id.
    public static let eventRouteNotFound: Self = "EventRouteNotFound"
    /// 400: a relationship does not conform to its definition.
    public static let invalidRelationship: Self = "InvalidRelationship"
    /// 400: a JSON Patch document is malformed or cannot be applied.
    public static let jsonPatchInvalid: Self = "JsonPatchInvalid"
    /// 400: a limit of the service (page size, query length) is exceeded.
    public static let limitExceeded: Self = "LimitExceeded"
    /// 409: a model with that id exists.
    public static let modelAlreadyExists: Self = "ModelAlreadyExists"
    /// 400: the model may not be used for new twins.
    public static let modelDecommissioned: Self = "ModelDecommissioned"
    /// 404: no model with that id.
    public static let modelNotFound: Self = "ModelNotFound"
    /// 409: a model that others reference cannot be decommissioned first.
    public static let modelReferencesNotDecommissioned: Self = "ModelReferencesNotDecommissioned"
    /// 409: a model that others reference cannot be deleted.
    public static let modelReferencesNotDeleted: Self = "ModelReferencesNotDeleted"
    /// 400: the model's DTDL version is not accepted (only contexts 2 and 3).
    public static let modelVersionNotSupported: Self = "ModelVersionNotSupported"
    /// 404 with no code from the service.
    public static let notFound: Self = "NotFound"
    /// 400: the operation is not allowed in the resource's state.
    public static let operationNotAllowed: Self = "OperationNotAllowed"
    /// 413: the request body is over ADT's limit.
    public static let payloadTooLarge: Self = "PayloadTooLarge"
    /// 412: `If-Match` / `If-None-Match` failed.
    public static let preconditionFailed: Self = "PreconditionFailed"
    /// 429: an instance quota is used up.
    public static let quotaReachedError: Self = "QuotaReachedError"
    /// 409: a relationship with that id exists.
    public static let relationshipAlreadyExists: Self = "RelationshipAlreadyExists"
    /// 404: no relationship with that id.
    public static let relationshipNotFound: Self = "RelationshipNotFound"
    /// 400: a twin with relationships cannot be deleted.
    public static let relationshipsNotDeleted: Self = "RelationshipsNotDeleted"
    /// 503: the service cannot answer now.
    public static let serviceUnavailable: Self = "ServiceUnavailable"
    /// 400: a query is not valid in ADT's query language.
    public static let sqlQueryError: Self = "SqlQueryError"
    /// 404: the target twin of a relationship does not exist.
    public static let targetTwinNotFound: Self = "TargetTwinNotFound"
    /// 400: an operation (a query) took longer than allowed.
    public static let timeoutError: Self = "TimeoutError"
    /// 429: throttled.
    public static let tooManyRequests: Self = "TooManyRequests"
    /// 401: no or invalid credentials.
    public static let unauthorized: Self = "Unauthorized"
    /// 400: a twin, component or relationship does not conform to its model.
    public static let validationFailed: Self = "ValidationFailed"
}
