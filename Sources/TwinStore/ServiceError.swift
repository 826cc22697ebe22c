import DTDL

/// An error the service answers with, in ADT's terms: an error code, a message, and the HTTP
/// status ADT uses for that code.
///
/// The code → status table lives here, in one place; the gateway renders the ADT error shape
/// `{"error":{"code":…,"message":…}}` from it.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// The ADT error code, e.g. `ModelNotFound`.
    public var code: String
    /// The message, as close to ADT's wording as known.
    public var message: String
    /// Detail messages (ADT sends `details` for invalid twins: the summary in `message`, the
    /// reason in a detail).
    public var details: [String]

    /// An error with ADT's status for its code.
    public init(_ code: String, _ message: String, details: [String] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// The HTTP status ADT answers with for this code (400 for codes not in the table).
    public var httpStatus: Int { Self.statusByCode[code] ?? 400 }

    public var description: String { "\(code): \(message)" }

    /// ADT's error codes and their HTTP statuses (the 2023-10-31 specification and recordings).
    static let statusByCode: [String: Int] = [
        "ModelNotFound": 404, "DigitalTwinNotFound": 404, "RelationshipNotFound": 404, "TargetTwinNotFound": 404, "TargetDigitalTwinNotFound": 404,
        "ComponentNotFound": 404, "EventRouteNotFound": 404, "ImportJobNotFound": 404, "DeleteJobNotFound": 404,
        "ModelAlreadyExists": 409, "ModelIdAlreadyExists": 409, "ModelReferencesNotDecommissioned": 409, "ModelReferencesNotDeleted": 409,
        "RelationshipAlreadyExists": 409,
        "Forbidden": 403,
        "PreconditionFailed": 412,
        "PayloadTooLarge": 413,
        "QuotaReachedError": 429,
        "InternalServerError": 500,
        "ServiceUnavailable": 503,
    ]
}

extension ServiceError {
    /// A request that is not understood (`InvalidArgument`, 400).
    public static func invalidArgument(_ message: String) -> ServiceError { ServiceError("InvalidArgument", message) }

    /// Models that do not exist (`ModelNotFound`, 404), in ADT's words.
    public static func modelNotFound(_ ids: [String]) -> ServiceError {
        ServiceError(
            "ModelNotFound",
            "There is no Model(s) available that matches the provided id(s) \(ids.joined(separator: ", ")). Check that the Model ID provided is valid by doing a Model_List API call."
        )
    }

    /// A DTDL engine error as the service reports it.
    public init(_ error: DTDLError) {
        self.init(error.code.rawValue, error.message)
    }

    /// A model id in a path or parameter that is not a DTMI (`InvalidArgument`), in ADT's words.
    public static func invalidModelID(_ id: String) -> ServiceError {
        invalidArgument(
            "The format of the Model ID \(id) provided is not supported. See model documentation(https://aka.ms/ADTv2Models) for supported format."
        )
    }
}
