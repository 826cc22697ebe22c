import ADTWire

/// A digital twin as ADT serves it: the JSON object with `$dtId`, `$etag`, `$metadata` and the
/// model's properties and components at the top level (member order kept).
public struct DigitalTwin: Sendable, Hashable {
    /// The twin document.
    public var json: JSONObject
    private var headerETag: String?

    /// A twin from its document; `etag` is the response's `ETag` header, when there was one.
    public init(json: JSONObject, etag: String? = nil) {
        self.json = json
        self.headerETag = etag
    }

    /// A new twin of `modelID` with these properties (for ``DigitalTwinsClient/createOrReplaceTwin(_:ifNoneMatch:)``).
    public init(id: String, modelID: String, properties: JSONObject = JSONObject()) {
        var json = JSONObject()
        json["$dtId"] = .string(id)
        json["$metadata"] = .object(JSONObject([(key: "$model", value: .string(modelID))]))
        for member in properties { json[member.key] = member.value }
        self.init(json: json)
    }

    /// `$dtId` (empty when the document has none).
    public var id: String {
        get { json["$dtId"]?.stringValue ?? "" }
        set { json["$dtId"] = .string(newValue) }
    }

    /// The `ETag` response header when received with one, else the document's `$etag`.
    public var etag: String? { headerETag ?? json["$etag"]?.stringValue }

    /// `$metadata.$model`.
    public var modelID: String? {
        get { json["$metadata"]?["$model"]?.stringValue }
        set {
            var metadata = json["$metadata"]?.objectValue ?? JSONObject()
            metadata["$model"] = newValue.map(JSONValue.string)
            json["$metadata"] = .object(metadata)
        }
    }

    /// A top-level member: a property, a component, or a `$` system field.
    public subscript(member: String) -> JSONValue? {
        get { json[member] }
        set { json[member] = newValue }
    }
}

/// A component of a twin (its properties and `$metadata`), with the twin's ETag.
public struct DigitalTwinComponent: Sendable, Hashable {
    /// The component document.
    public var json: JSONObject
    /// The `ETag` response header (the twin's ETag).
    public var etag: String?

    /// A component document.
    public init(json: JSONObject, etag: String? = nil) {
        self.json = json
        self.etag = etag
    }

    /// A member of the component.
    public subscript(member: String) -> JSONValue? { json[member] }
}

/// A relationship as ADT serves it: `$relationshipId`, `$sourceId`, `$targetId`,
/// `$relationshipName`, `$etag` and its properties, flat.
public struct BasicRelationship: Sendable, Hashable {
    /// The relationship document.
    public var json: JSONObject
    private var headerETag: String?

    /// A relationship from its document; `etag` is the response's `ETag` header, if any.
    public init(json: JSONObject, etag: String? = nil) {
        self.json = json
        self.headerETag = etag
    }

    /// A new relationship (for ``DigitalTwinsClient/createOrReplaceRelationship(_:ifNoneMatch:)``).
    public init(id: String, sourceID: String, targetID: String, name: String, properties: JSONObject = JSONObject()) {
        var json = JSONObject()
        json["$relationshipId"] = .string(id)
        json["$sourceId"] = .string(sourceID)
        json["$targetId"] = .string(targetID)
        json["$relationshipName"] = .string(name)
        for member in properties { json[member.key] = member.value }
        self.init(json: json)
    }

    /// `$relationshipId`.
    public var id: String { json["$relationshipId"]?.stringValue ?? "" }
    /// `$sourceId`.
    public var sourceID: String { json["$sourceId"]?.stringValue ?? "" }
    /// `$targetId`.
    public var targetID: String { json["$targetId"]?.stringValue ?? "" }
    /// `$relationshipName`.
    public var name: String { json["$relationshipName"]?.stringValue ?? "" }
    /// The `ETag` response header when received with one, else `$etag`.
    public var etag: String? { headerETag ?? json["$etag"]?.stringValue }

    /// A member: a property or a `$` field.
    public subscript(member: String) -> JSONValue? {
        get { json[member] }
        set { json[member] = newValue }
    }
}

/// An item of the incoming-relationships list: who points at the twin, not the properties.
public struct IncomingRelationship: Sendable, Hashable {
    /// The item document.
    public var json: JSONObject
    /// A list item.
    public init(json: JSONObject) { self.json = json }
    /// `$relationshipId`.
    public var id: String { json["$relationshipId"]?.stringValue ?? "" }
    /// `$sourceId`: the twin the relationship starts from.
    public var sourceID: String { json["$sourceId"]?.stringValue ?? "" }
    /// `$relationshipName`.
    public var name: String { json["$relationshipName"]?.stringValue ?? "" }
    /// `$relationshipLink`: the relationship's path.
    public var link: String? { json["$relationshipLink"]?.stringValue }
}

/// A model's metadata (`DigitalTwinsModelData`) and, when asked for, its definition.
public struct ModelData: Sendable, Hashable {
    /// The model's DTMI.
    public var id: String
    /// Display names by language (`{"en": "Room"}`).
    public var displayNames: [String: String]
    /// Descriptions by language.
    public var descriptions: [String: String]
    /// When it was uploaded, as the service wrote it (ISO 8601).
    public var uploadTime: String?
    /// Whether new twins of it are refused.
    public var decommissioned: Bool
    /// The DTDL interface, when requested with `includeModelDefinition`.
    public var model: JSONValue?
    /// The whole item as received.
    public var json: JSONObject

    /// Reads a model item; throws ``ADTError`` when it has no `id`.
    public init(json: JSONObject) throws {
        guard let id = json["id"]?.stringValue else { throw ADTError.invalidResponse("a model item has no id") }
        func languageMap(_ value: JSONValue?) -> [String: String] {
            switch value {
            case .object(let o)?:
                var map: [String: String] = [:]
                for member in o { if let s = member.value.stringValue { map[member.key] = s } }
                return map
            case .string(let s)?: return ["en": s]
            default: return [:]
            }
        }
        self.id = id
        displayNames = languageMap(json["displayName"])
        descriptions = languageMap(json["description"])
        uploadTime = json["uploadTime"]?.stringValue
        decommissioned = json["decommissioned"]?.boolValue ?? false
        model = json["model"]
        self.json = json
    }
}

extension JSONPatchOperation {
    /// `{"op":"add","path":…,"value":…}`. `path` is JSON Pointer text (`/a/b`); text without a
    /// leading `/` is taken as one top-level member name.
    public static func add(_ path: String, _ value: JSONValue) -> JSONPatchOperation {
        JSONPatchOperation(kind: .add, path: pointer(path), value: value)
    }

    /// `{"op":"replace","path":…,"value":…}` (path as in ``add(_:_:)``).
    public static func replace(_ path: String, _ value: JSONValue) -> JSONPatchOperation {
        JSONPatchOperation(kind: .replace, path: pointer(path), value: value)
    }

    /// `{"op":"remove","path":…}` (path as in ``add(_:_:)``).
    public static func remove(_ path: String) -> JSONPatchOperation {
        JSONPatchOperation(kind: .remove, path: pointer(path))
    }

    private static func pointer(_ text: String) -> JSONPointer {
        text.hasPrefix("/") ? (JSONPointer(parsing: text) ?? JSONPointer(tokens: [text])) : JSONPointer(tokens: [text])
    }

    /// The operation as JSON.
    public var jsonValue: JSONValue {
        var object = JSONObject()
        object["op"] = .string(kind.rawValue)
        object["path"] = .string(path.description)
        if let value, kind != .remove { object["value"] = value }
        return .object(object)
    }
}
