import ADTWire
import DTDL

/// An error the service answers with, in ADT's terms: an error code and a message.
///
/// The code's HTTP status comes from ``ADTErrorCode/httpStatus`` (the one table, in ADTWire);
/// the gateway renders the ADT error shape `{"error":{"code":…,"message":…}}` from it.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    /// The ADT error code, e.g. `ModelNotFound`.
    public var code: ADTErrorCode
    /// The message, as close to ADT's wording as known.
    public var message: String
    /// Detail messages (ADT sends `details` for invalid twins: the summary in `message`, the
    /// reason in a detail).
    public var details: [String]

    /// An error with a code and a message.
    public init(_ code: ADTErrorCode, _ message: String, details: [String] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// `Code: message`.
    public var description: String { "\(code): \(message)" }
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
        self.init(error.code, error.message)
    }

    /// A model id in a path or parameter that is not a DTMI (`InvalidArgument`), in ADT's words.
    public static func invalidModelID(_ id: String) -> ServiceError {
        invalidArgument(
            "The format of the Model ID \(id) provided is not supported. See model documentation(https://aka.ms/ADTv2Models) for supported format."
        )
    }
}
