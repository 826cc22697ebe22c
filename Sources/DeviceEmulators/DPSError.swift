import ADTWire
import DTDL
import Foundation
import Hummingbird

/// An error of the DPS emulator, rendered as DPS renders them (`ProvisioningServiceErrorDetails`):
///
/// ```json
/// {"errorCode": 401002, "trackingId": "…", "message": "…", "timestampUtc": "2019-03-15T19:43:02.7904455Z"}
/// ```
///
/// with the `x-ms-error-code` header holding the same code. Codes are the HTTP status followed
/// by three digits, as DPS's own are.
struct DPSError: HTTPResponseError, Sendable {
    /// The HTTP status.
    let status: HTTPResponse.Status
    /// The six-digit code.
    let errorCode: Int
    /// A human-readable message (never key material).
    let message: String

    init(_ status: HTTPResponse.Status, _ errorCode: Int, _ message: String) {
        self.status = status
        self.errorCode = errorCode
        self.message = message
    }

    /// 400004: the request (body, id) is not valid.
    static func badRequest(_ message: String) -> DPSError { DPSError(.badRequest, 400_004, message) }
    /// 401002: the SAS token does not authorize the request.
    static func unauthorized(_ message: String) -> DPSError { DPSError(.unauthorized, 401_002, message) }
    /// 404201: no such registration operation (or enrollment group, on the service API).
    static func notFound(_ message: String) -> DPSError { DPSError(.notFound, 404_201, message) }
    /// 412002: `If-Match` does not match.
    static func preconditionFailed(_ message: String) -> DPSError { DPSError(.preconditionFailed, 412_002, message) }
    /// 413000: the body is too large.
    static let tooLarge = DPSError(.contentTooLarge, 413_000, "The request body is too large.")

    /// The body.
    var json: JSONValue {
        [
            "errorCode": .integer(Int64(errorCode)), "trackingId": .string(EmulatorRandom.uuid()),
            "message": .string(message), "timestampUtc": .string(EmulatorTime.iso(Date())),
        ]
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        EmulatorHTTP.json(status, json, headers: [EmulatorHTTP.name("x-ms-error-code"): String(errorCode)])
    }
}

/// Why an allocation failed, as written into `registrationState.errorCode/errorMessage`.
/// These codes are the emulator's choice (the sources show none for a failing webhook).
enum AllocationFailure {
    /// The webhook answered non-2xx, timed out, could not be reached or sent an invalid body.
    static let customAllocationFailed = 400_207
    /// No hub was chosen, or the webhook chose a hub outside `linkedHubs` (the C SDK calls
    /// 400208 "no hub specified").
    static let noHub = 400_208
    /// The device could not be written to the hub's registry.
    static let internalError = 500_000
}
