import ADTWire
import DTDL
import DeviceLifecycle
import Foundation
import HTTPTypes
import Hummingbird

/// An error of the IoT Hub emulator, rendered as IoT Hub renders them:
///
/// ```json
/// {"Message": "ErrorCode:DeviceNotFound;Device thermostat-67 not found on hub myhub.",
///  "ExceptionMessage": "Tracking ID:…-G:0-TimeStamp:05/27/2022 18:49:38"}
/// ```
///
/// with the header `iothub-errorcode` holding the code (the service SDKs parse `Message`).
struct HubError: HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    /// IoT Hub's error code name.
    let code: String
    let message: String

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func deviceNotFound(_ id: String, hub: String) -> HubError {
        HubError(.notFound, "DeviceNotFound", "Device \(id) not found on hub \(hub).")
    }
    static func hubNotFound(_ message: String) -> HubError { HubError(.notFound, "IotHubNotFound", message) }
    static func alreadyExists(_ id: String) -> HubError {
        HubError(.conflict, "DeviceAlreadyExists", "A device with ID '\(id)' is already registered.")
    }
    static func preconditionFailed(_ message: String) -> HubError {
        HubError(.preconditionFailed, "PreconditionFailed", message)
    }
    static func argumentInvalid(_ message: String) -> HubError { HubError(.badRequest, "ArgumentInvalid", message) }
    static func unauthorized(_ message: String) -> HubError {
        HubError(.unauthorized, "IotHubUnauthorizedAccess", message)
    }
    static let messageTooLarge = HubError(.contentTooLarge, "MessageTooLarge", "The message is larger than 256 KB.")

    var json: JSONValue {
        return [
            "Message": .string("ErrorCode:\(code);\(message)"),
            "ExceptionMessage": .string(
                "Tracking ID:\(EmulatorRandom.hex(16))-G:0-TimeStamp:\(UTCTimestamp.usDateTime(epochSeconds: Int64(Date().timeIntervalSince1970)))"
            ),
        ]
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        EmulatorHTTP.json(status, json, headers: [EmulatorHTTP.name("iothub-errorcode"): code])
    }
}
