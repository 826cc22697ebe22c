import ADTWire
import DTDL
import DeviceFlowFixtures
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Request bodies and models from the reference material (SUMMARY.md §3/§4, the sample's
/// models), kept here so that tests never read /work/shared.
enum Fixtures {
    static let thermostatModelID = "dtmi:contosocom:DigitalTwins:Thermostat;2"
    static let spaceModelID = "dtmi:contosocom:DigitalTwins:Space;1"

    /// The sample's Thermostat;2 and Space;1 models.
    static let models = "[\(DeviceFlowFixtures.thermostatModel), \(DeviceFlowFixtures.spaceModel)]"

    /// The AllocationRequest of the thermostat scenario, for `registrationID`.
    static func allocationRequest(registrationID: String = "thermostat-67") -> String {
        DeviceFlowFixtures.scenarioAllocationRequest(registrationID: registrationID)
    }

    /// A telemetry message as read from Event Hubs (SUMMARY.md §5.3), in the functions' envelope.
    static func telemetry(deviceID: String = "thermostat-67", temperature: Double, messageID: String) -> String {
        """
        {"properties": {},
         "systemProperties": {"iothub-connection-device-id": "\(deviceID)", "iothub-connection-auth-method": "{\\"scope\\":\\"device\\",\\"type\\":\\"sas\\",\\"issuer\\":\\"iothub\\"}",
                              "iothub-enqueuedtime": 1653677378534, "iothub-message-source": "Telemetry",
                              "content-type": "application/json", "content-encoding": "utf-8", "message-id": "\(messageID)"},
         "body": {"Temperature": \(temperature)}}
        """
    }

    static func eventGridDeviceDeleted(deviceID: String = "thermostat-67") -> String {
        DeviceFlowFixtures.eventGridDeviceDeleted(deviceID: deviceID)
    }

    static let validationCode = DeviceFlowFixtures.validationCode
    static let subscriptionValidation = DeviceFlowFixtures.subscriptionValidation

    /// A response body as JSON (`null` when empty).
    static func json(_ response: TestResponse) throws -> JSONValue {
        let bytes = Array(response.body.readableBytesView)
        return bytes.isEmpty ? .null : try JSONParser.parse(bytes)
    }

    /// `x-functions-key: key`.
    static func keyHeader(_ key: String) -> HTTPFields {
        [HTTPField.Name("x-functions-key")!: key]
    }
}
