import ADTWire
import DTDL

/// The body DPS POSTs to a custom-allocation webhook (an `AllocationRequest`), reduced to what
/// the allocation function uses.
///
/// ```json
/// {"enrollmentGroup": {...} | "individualEnrollment": {...},
///  "deviceRuntimeContext": {"registrationId": "thermostat-67", "symmetricKey": {},
///                           "payload": {"modelId": "dtmi:contosocom:DigitalTwins:Thermostat;2"},
///                           "currentIotHubHostName": "...", "currentDeviceId": "..."},
///  "linkedHubs": ["myhub.azure-devices.net"]}
/// ```
public struct AllocationRequest: Sendable, Hashable {
    /// `deviceRuntimeContext.registrationId`: also the device id and the twin id.
    public var registrationID: String
    /// `linkedHubs`: the hubs the device may be assigned to (empty when absent).
    public var linkedHubs: [String]
    /// `deviceRuntimeContext.payload`, the device's custom payload, when it sent one.
    public var payload: JSONObject?
    /// `deviceRuntimeContext.payload.modelId`, when present.
    public var modelID: String?
    /// `deviceRuntimeContext.currentIotHubHostName`: set only when re-provisioning.
    public var currentHubHostName: String?
    /// `deviceRuntimeContext.currentDeviceId`: set only when re-provisioning.
    public var currentDeviceID: String?
    /// `enrollmentGroup.enrollmentGroupId`, or `individualEnrollment.registrationId`.
    public var enrollmentID: String?

    /// A request with the given values.
    public init(
        registrationID: String, linkedHubs: [String], payload: JSONObject? = nil, modelID: String? = nil,
        currentHubHostName: String? = nil, currentDeviceID: String? = nil, enrollmentID: String? = nil
    ) {
        self.registrationID = registrationID
        self.linkedHubs = linkedHubs
        self.payload = payload
        self.modelID = modelID
        self.currentHubHostName = currentHubHostName
        self.currentDeviceID = currentDeviceID
        self.enrollmentID = enrollmentID
    }

    /// The longest registration id DPS accepts.
    public static let maxRegistrationIDLength = 128

    /// Reads a request body.
    ///
    /// - Throws: ``MalformedInput`` when the body is not a JSON object, has no
    ///   `deviceRuntimeContext.registrationId`, or has a `linkedHubs` / `payload.modelId` of
    ///   the wrong type. A missing or empty `linkedHubs` is not an error here: the function
    ///   may fall back to configured hubs.
    public static func parse(_ body: [UInt8]) throws(MalformedInput) -> AllocationRequest {
        let root: JSONValue
        do {
            root = try JSONParser.parse(body)
        } catch {
            throw MalformedInput("The request body is not JSON: \(error.description).")
        }
        guard let object = root.objectValue else {
            throw MalformedInput(
                "The request body must be a JSON object (a DPS AllocationRequest), not \(root.typeName).")
        }
        guard let context = object["deviceRuntimeContext"]?.objectValue else {
            throw MalformedInput("deviceRuntimeContext is missing or not an object.")
        }
        guard let registrationID = context["registrationId"]?.stringValue, !registrationID.isEmpty else {
            throw MalformedInput("Registration ID not provided for the device.")
        }
        guard registrationID.count <= maxRegistrationIDLength else {
            throw MalformedInput("The registration ID is longer than \(maxRegistrationIDLength) characters.")
        }

        var hubs: [String] = []
        switch object["linkedHubs"] {
        case .none, .some(.null):
            break
        case .some(.array(let list)):
            for item in list {
                guard let hub = item.stringValue, !hub.isEmpty else {
                    throw MalformedInput("linkedHubs must hold hub host names (strings).")
                }
                hubs.append(hub)
            }
        case .some(let other):
            throw MalformedInput("linkedHubs must be an array of hub host names, not \(other.typeName).")
        }

        var payload: JSONObject?
        var modelID: String?
        switch context["payload"] {
        case .none, .some(.null):
            break
        case .some(.object(let p)):
            payload = p
            switch p["modelId"] {
            case .none, .some(.null):
                break
            case .some(.string(let m)):
                guard DTMI.isValid(m) else {
                    throw MalformedInput(
                        "payload.modelId \"\(m)\" is not a valid DTMI (for example dtmi:com:example:Thermostat;1).")
                }
                modelID = m
            case .some(let other):
                throw MalformedInput("payload.modelId must be a string (a DTMI), not \(other.typeName).")
            }
        case .some(let other):
            throw MalformedInput("deviceRuntimeContext.payload must be a JSON object, not \(other.typeName).")
        }

        let enrollmentID =
            object["enrollmentGroup"]?["enrollmentGroupId"]?.stringValue
            ?? object["individualEnrollment"]?["registrationId"]?.stringValue
        return AllocationRequest(
            registrationID: registrationID, linkedHubs: hubs, payload: payload, modelID: modelID,
            currentHubHostName: context["currentIotHubHostName"]?.stringValue,
            currentDeviceID: context["currentDeviceId"]?.stringValue, enrollmentID: enrollmentID)
    }
}

/// The webhook's answer to DPS (an `AllocationResponse`).
public struct AllocationResponse: Sendable, Hashable {
    /// The chosen hub, one of the request's `linkedHubs`.
    public var iotHubHostName: String
    /// The device's model: `initialTwin.tags.dtmi`.
    public var modelID: String
    /// The device's twin id: `initialTwin.tags.dtId`.
    public var twinID: String

    /// A response assigning `twinID` (model `modelID`) to `iotHubHostName`.
    public init(iotHubHostName: String, modelID: String, twinID: String) {
        self.iotHubHostName = iotHubHostName
        self.modelID = modelID
        self.twinID = twinID
    }

    /// The body, exactly the sample's shape:
    /// `{"iotHubHostName": …, "initialTwin": {"tags": {"dtmi": …, "dtId": …}, "properties": {"desired": {}}}}`.
    public var json: JSONValue {
        [
            "iotHubHostName": .string(iotHubHostName),
            "initialTwin": [
                "tags": ["dtmi": .string(modelID), "dtId": .string(twinID)],
                "properties": ["desired": .object(JSONObject())],
            ],
        ]
    }
}
