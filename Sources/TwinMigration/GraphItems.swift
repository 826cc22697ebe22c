import ADTWire

/// Twins, relationships and models as they travel between instances: in ADT's import format,
/// without what the service sets itself (`$etag`, `$lastUpdateTime`, `$sourceId`), and in a
/// canonical form for comparing two instances.
public enum GraphItems {
    /// A twin as the import format and `PUT` take it: `$dtId`, `$metadata` with `$model` and
    /// each property's `sourceTime`, the properties and components (their own `$metadata`
    /// likewise), without `$etag` or any `lastUpdateTime`.
    public static func portableTwin(_ twin: JSONObject) -> JSONObject {
        var out = JSONObject()
        for member in twin.members {
            switch member.key {
            case "$etag":
                continue
            case "$metadata":
                if case .object(let metadata) = member.value { out["$metadata"] = .object(portableMetadata(metadata)) }
            default:
                if case .object(let component) = member.value, component["$metadata"] != nil {
                    var copy = JSONObject()
                    for inner in component.members {
                        if inner.key == "$metadata", case .object(let metadata) = inner.value {
                            copy["$metadata"] = .object(portableMetadata(metadata))
                        } else {
                            copy[inner.key] = inner.value
                        }
                    }
                    out[member.key] = .object(copy)
                } else {
                    out[member.key] = member.value
                }
            }
        }
        return out
    }

    /// `$metadata` without the service's times: `$model` and each property's `sourceTime`.
    static func portableMetadata(_ metadata: JSONObject) -> JSONObject {
        var out = JSONObject()
        for member in metadata.members {
            switch member.key {
            case "$lastUpdateTime":
                continue
            case "$model":
                out["$model"] = member.value
            default:
                guard case .object(let entry) = member.value else { continue }
                if let sourceTime = entry["sourceTime"] {
                    out[member.key] = .object(JSONObject([(key: "sourceTime", value: sourceTime)]))
                }
            }
        }
        return out
    }

    /// A relationship in the import format: `$dtId` (its source), `$relationshipId`,
    /// `$targetId`, `$relationshipName` and its properties.
    public static func portableRelationship(_ relationship: JSONObject) -> JSONObject {
        var out = JSONObject()
        out["$dtId"] = relationship["$sourceId"] ?? relationship["$dtId"]
        out["$relationshipId"] = relationship["$relationshipId"]
        out["$targetId"] = relationship["$targetId"]
        out["$relationshipName"] = relationship["$relationshipName"]
        for member in relationship.members where !member.key.hasPrefix("$") { out[member.key] = member.value }
        return out
    }

    /// The body of a relationship `PUT`: the import-format relationship without `$dtId`.
    public static func relationshipBody(_ portable: JSONObject) -> JSONObject {
        var body = portable
        body["$dtId"] = nil
        return body
    }

    /// A twin's identity and content for comparison: the portable twin with its members in key
    /// order, as text.
    public static func twinFingerprint(_ twin: JSONObject) -> String {
        JSONWriter.string(sorted(.object(portableTwin(twin))))
    }

    /// A relationship's content for comparison, as text.
    public static func relationshipFingerprint(_ relationship: JSONObject) -> String {
        JSONWriter.string(sorted(.object(portableRelationship(relationship))))
    }

    /// The value with every object's members in key order (numbers compared as written by
    /// the service: `20` and `20.0` are the same double).
    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            return .object(
                JSONObject(o.members.sorted { $0.key < $1.key }.map { (key: $0.key, value: sorted($0.value)) }))
        case .array(let a):
            return .array(a.map(sorted))
        case .integer(let i):
            return .double(Double(i))
        default:
            return value
        }
    }

    /// Models in an order that can be uploaded: each after the models it extends or uses as a
    /// component schema (within the set). Cycles, which DTDL forbids, keep their given order.
    public static func dependencyOrder(_ models: [JSONValue]) -> [JSONValue] {
        var byID: [String: JSONValue] = [:]
        var order: [String] = []
        for model in models {
            guard let id = model["@id"]?.stringValue else { continue }
            if byID[id] == nil { order.append(id) }
            byID[id] = model
        }
        var placed: Set<String> = []
        var visiting: Set<String> = []
        var out: [JSONValue] = []
        func place(_ id: String) {
            guard !placed.contains(id), let model = byID[id], visiting.insert(id).inserted else { return }
            for dependency in references(of: model) where byID[dependency] != nil { place(dependency) }
            visiting.remove(id)
            placed.insert(id)
            out.append(model)
        }
        for id in order { place(id) }
        return out
    }

    /// The models a model names in `extends` and as component schemas.
    public static func references(of model: JSONValue) -> [String] {
        var out: [String] = []
        switch model["extends"] {
        case .string(let id)?: out.append(id)
        case .array(let items)?: out += items.compactMap(\.stringValue)
        default: break
        }
        for content in model["contents"]?.arrayValue ?? [] {
            let types: [String] =
                switch content["@type"] {
                case .string(let t)?: [t]
                case .array(let a)?: a.compactMap(\.stringValue)
                default: []
                }
            if types.contains("Component"), let schema = content["schema"]?.stringValue { out.append(schema) }
        }
        return out
    }

    /// `models` cut into batches of at most `size` that can be uploaded in order: a model's
    /// dependencies are in its batch or an earlier one.
    public static func uploadBatches(_ models: [JSONValue], size: Int = 250) -> [[JSONValue]] {
        let ordered = dependencyOrder(models)
        return stride(from: 0, to: ordered.count, by: size).map { Array(ordered[$0..<min($0 + size, ordered.count)]) }
    }
}
