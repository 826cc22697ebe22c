import ADTWire
import DTDL
import Foundation

/// A DPS enrollment group with symmetric-key attestation, in DPS's own JSON shape (the
/// service API's `EnrollmentGroup`), so the same document works in the enrollment file, the
/// REST API and a real DPS:
///
/// ```json
/// {"enrollmentGroupId": "adt-thermostats",
///  "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": "<b64>", "secondaryKey": "<b64>"}},
///  "allocationPolicy": "custom",
///  "customAllocationDefinition": {"webhookUrl": "https://…/api/DpsAdtAllocationFunc", "apiVersion": "2021-10-01",
///                                 "webhookKey": "<function key, an emulator extension>"},
///  "iotHubs": ["myhub.azure-devices.net"],
///  "initialTwin": {"tags": {}, "properties": {"desired": {}}},
///  "provisioningStatus": "enabled"}
/// ```
///
/// - Keys left out are generated when the group is first stored, and kept when it is replaced.
/// - `allocationPolicy`: `custom` calls the webhook; `hashed` (an even spread) and `static`
///   (the first hub) allocate without one.
/// - `webhookKey`, when set, is sent to the webhook as the `x-functions-key` header. It never
///   appears in the allocation request body or in logs.
public struct EnrollmentGroup: Sendable, Hashable {
    /// How a hub is chosen for a device.
    public enum AllocationPolicy: String, Sendable, Hashable, CaseIterable {
        /// The custom-allocation webhook chooses.
        case custom
        /// A stable, even spread over the group's hubs (no webhook).
        case hashed
        /// The group's first hub (no webhook).
        case `static`
    }

    /// `enrollmentGroupId`.
    public var id: String
    /// The group's primary key (base64); `nil` until generated.
    public var primaryKey: String?
    /// The group's secondary key (base64); `nil` until generated.
    public var secondaryKey: String?
    /// `allocationPolicy`.
    public var allocationPolicy: AllocationPolicy
    /// `customAllocationDefinition.webhookUrl`.
    public var webhookURL: String?
    /// The webhook's function key (`customAllocationDefinition.webhookKey`).
    public var webhookKey: String?
    /// `customAllocationDefinition.apiVersion`.
    public var webhookAPIVersion: String
    /// `iotHubs`: the hub host names devices of the group may be assigned to. Empty: the
    /// instance's linked hubs.
    public var iotHubs: [String]
    /// `initialTwin` (`{"tags": {...}, "properties": {"desired": {...}}}`), used when the
    /// webhook returns none.
    public var initialTwin: JSONObject?
    /// `provisioningStatus == "enabled"`; devices of a disabled group cannot register.
    public var isEnabled: Bool
    /// The stored group's etag (read-only).
    public internal(set) var etag: String?
    /// When the group was first stored (read-only).
    public internal(set) var createdAt: Date?
    /// When the group was last changed (read-only).
    public internal(set) var updatedAt: Date?

    /// A group.
    public init(
        id: String, primaryKey: String? = nil, secondaryKey: String? = nil,
        allocationPolicy: AllocationPolicy = .custom,
        webhookURL: String? = nil, webhookKey: String? = nil, webhookAPIVersion: String = "2021-10-01",
        iotHubs: [String] = [], initialTwin: JSONObject? = nil, isEnabled: Bool = true
    ) {
        self.id = id
        self.primaryKey = primaryKey
        self.secondaryKey = secondaryKey
        self.allocationPolicy = allocationPolicy
        self.webhookURL = webhookURL
        self.webhookKey = webhookKey
        self.webhookAPIVersion = webhookAPIVersion
        self.iotHubs = iotHubs
        self.initialTwin = initialTwin
        self.isEnabled = isEnabled
    }

    /// The keys a device key may be derived from, primary first.
    var keys: [String] { [primaryKey, secondaryKey].compactMap { $0 } }

    /// Checks the id, the keys, the policy's webhook and the initial twin's shape.
    ///
    /// - Throws: ``EmulatorConfigurationError``.
    public func validate() throws(EmulatorConfigurationError) {
        guard Self.isValidID(id) else {
            throw .init(
                "The enrollment group id \"\(id)\" is invalid: use at most 128 letters, digits and - . _ :, "
                    + "ending with a letter, a digit or -.")
        }
        for key in keys {
            guard (try? SharedAccessSignatureKey.check(key)) != nil else {
                throw .init("A symmetric key of enrollment group \(id) is not base64.")
            }
        }
        if allocationPolicy == .custom {
            guard let url = webhookURL?.lowercased(), url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw .init("Enrollment group \(id) uses custom allocation but has no http(s) webhookUrl.")
            }
        }
        if let twin = initialTwin {
            if let tags = twin["tags"], tags.objectValue == nil, !tags.isNull {
                throw .init("initialTwin.tags of enrollment group \(id) must be an object.")
            }
            if let properties = twin["properties"], properties.objectValue == nil, !properties.isNull {
                throw .init("initialTwin.properties of enrollment group \(id) must be an object.")
            }
        }
    }

    /// DPS's rules for registration and enrollment group ids: at most 128 characters of
    /// letters, digits and `- . _ :`, the last a letter, digit or `-`.
    static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.count <= 128 else { return false }
        guard
            id.unicodeScalars.allSatisfy({
                $0.isASCII && (Self.isAlphanumeric($0) || "-._:".unicodeScalars.contains($0))
            })
        else { return false }
        let last = id.unicodeScalars.last!
        return Self.isAlphanumeric(last) || last == "-"
    }

    private static func isAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
    }
}

extension EnrollmentGroup {
    /// Reads DPS's `EnrollmentGroup` JSON (see the type's documentation). Read-only members
    /// (`etag`, dates, `reprovisionPolicy`, `capabilities`) are ignored.
    ///
    /// - Parameter id: the id from the URL, which wins over `enrollmentGroupId` (they must
    ///   agree when both are given).
    /// - Throws: ``EmulatorConfigurationError`` for a wrong shape or an invalid group.
    public init(json: JSONValue, id pathID: String? = nil) throws(EmulatorConfigurationError) {
        guard let object = json.objectValue else { throw .init("An enrollment group must be a JSON object.") }
        let bodyID = object.text("enrollmentGroupId")
        if let pathID, let bodyID, pathID != bodyID {
            throw .init("enrollmentGroupId \(bodyID) does not match the id in the URL, \(pathID).")
        }
        guard let id = pathID ?? bodyID else { throw .init("The enrollment group has no enrollmentGroupId.") }

        var primary: String?
        var secondary: String?
        if let attestation = object["attestation"]?.objectValue {
            if let type = attestation.text("type"), type != "symmetricKey" {
                throw .init("Enrollment group \(id): only symmetricKey attestation is emulated, not \(type).")
            }
            primary = attestation["symmetricKey"]?.objectValue?.text("primaryKey")
            secondary = attestation["symmetricKey"]?.objectValue?.text("secondaryKey")
        }

        var policy = AllocationPolicy.custom
        if let text = object.text("allocationPolicy") {
            guard let p = AllocationPolicy(rawValue: text) else {
                throw .init("Enrollment group \(id): allocationPolicy must be custom, hashed or static, not \(text).")
            }
            policy = p
        }
        let custom = object["customAllocationDefinition"]?.objectValue
        var hubs: [String] = []
        if let list = object["iotHubs"] {
            guard let array = list.arrayValue, array.allSatisfy({ $0.stringValue?.isEmpty == false }) else {
                throw .init("Enrollment group \(id): iotHubs must be an array of hub host names.")
            }
            hubs = array.compactMap(\.stringValue)
        } else if let single = object.text("iotHubHostName") {
            hubs = [single]
        }
        var initialTwin: JSONObject?
        switch object["initialTwin"] {
        case .none, .some(.null): break
        case .some(.object(let twin)): initialTwin = twin
        case .some: throw .init("Enrollment group \(id): initialTwin must be an object.")
        }
        let status = object.text("provisioningStatus") ?? "enabled"
        guard status == "enabled" || status == "disabled" else {
            throw .init("Enrollment group \(id): provisioningStatus must be enabled or disabled.")
        }
        self.init(
            id: id, primaryKey: primary, secondaryKey: secondary, allocationPolicy: policy,
            webhookURL: custom?.text("webhookUrl"), webhookKey: custom?.text("webhookKey"),
            webhookAPIVersion: custom?.text("apiVersion") ?? "2021-10-01", iotHubs: hubs, initialTwin: initialTwin,
            isEnabled: status == "enabled")
        try validate()
    }

    /// DPS's `EnrollmentGroup` JSON. With `secrets: false` (the allocation request), the
    /// attestation is `{"type": "symmetricKey"}` and the webhook key is left out.
    public func json(secrets: Bool = true) -> JSONValue {
        var attestation = JSONObject()
        attestation["type"] = "symmetricKey"
        if secrets {
            var keys = JSONObject()
            keys["primaryKey"] = primaryKey.map(JSONValue.string) ?? .null
            keys["secondaryKey"] = secondaryKey.map(JSONValue.string) ?? .null
            attestation["symmetricKey"] = .object(keys)
        }
        var object = JSONObject()
        object["enrollmentGroupId"] = .string(id)
        object["attestation"] = .object(attestation)
        object["capabilities"] = ["iotEdge": false]
        if let etag { object["etag"] = .string(etag) }
        object["provisioningStatus"] = .string(isEnabled ? "enabled" : "disabled")
        object["reprovisionPolicy"] = ["updateHubAssignment": true, "migrateDeviceData": true]
        if let createdAt { object["createdDateTimeUtc"] = .string(EmulatorTime.iso(createdAt)) }
        if let updatedAt { object["lastUpdatedDateTimeUtc"] = .string(EmulatorTime.iso(updatedAt)) }
        object["allocationPolicy"] = .string(allocationPolicy.rawValue)
        object["iotHubs"] = .array(iotHubs.map(JSONValue.string))
        if let webhookURL {
            var custom = JSONObject()
            custom["webhookUrl"] = .string(webhookURL)
            custom["apiVersion"] = .string(webhookAPIVersion)
            if secrets, let webhookKey { custom["webhookKey"] = .string(webhookKey) }
            object["customAllocationDefinition"] = .object(custom)
        }
        if let initialTwin { object["initialTwin"] = .object(initialTwin) }
        return .object(object)
    }

    /// Reads an enrollment file: a JSON array of groups, or `{"enrollmentGroups": [...]}`.
    ///
    /// - Throws: ``EmulatorConfigurationError`` when the file cannot be read or a group is
    ///   invalid.
    public static func load(path: String) throws(EmulatorConfigurationError) -> [EnrollmentGroup] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .init("The enrollment file \(path) cannot be read.")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            throw .init("The enrollment file \(path) is not JSON: \(error.description)")
        }
        return try parseList(root, origin: "The enrollment file \(path)")
    }

    /// Reads a JSON array of groups, or an object with `enrollmentGroups`.
    static func parseList(_ root: JSONValue, origin: String) throws(EmulatorConfigurationError) -> [EnrollmentGroup] {
        let list: [JSONValue]
        if let array = root.arrayValue {
            list = array
        } else if let array = root["enrollmentGroups"]?.arrayValue {
            list = array
        } else {
            throw .init("\(origin) must hold an array of enrollment groups or {\"enrollmentGroups\": [...]}.")
        }
        var groups: [EnrollmentGroup] = []
        var ids = Set<String>()
        for item in list {
            let group = try EnrollmentGroup(json: item)
            guard ids.insert(group.id).inserted else {
                throw .init("\(origin) defines enrollment group \(group.id) twice.")
            }
            groups.append(group)
        }
        return groups
    }
}
