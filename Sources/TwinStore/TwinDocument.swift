import ADTWire
import DTDL

/// The twin as ADT serves it, built from a validated twin: `$dtId`, `$etag`, the properties and
/// components in the order written, `$metadata` last (`$model`, `$lastUpdateTime`, then one
/// entry per property in the same order, each `lastUpdateTime` then `sourceTime`). Components
/// hold their properties and their own `$metadata` (no `$model`), last.
enum TwinDocument {
    static func canonical(_ twin: JSONObject, id: String, etag: String, model: InterfaceModel) -> JSONObject {
        var out = JSONObject()
        out["$dtId"] = .string(id)
        out["$etag"] = .string(etag)
        let metadata = twin["$metadata"]?.objectValue ?? JSONObject()
        var canonicalMetadata = JSONObject()
        canonicalMetadata["$model"] = .string(model.id)
        if let time = metadata["$lastUpdateTime"] { canonicalMetadata["$lastUpdateTime"] = time }
        for member in twin.members where !member.key.hasPrefix("$") {
            if model.components[member.key] != nil, case .object(let component) = member.value {
                out[member.key] = .object(canonicalComponent(component))
            } else {
                out[member.key] = member.value
                if case .object(let entry)? = metadata[member.key] {
                    canonicalMetadata[member.key] = .object(canonicalEntry(entry))
                }
            }
        }
        out["$metadata"] = .object(canonicalMetadata)
        return out
    }

    static func canonicalComponent(_ component: JSONObject) -> JSONObject {
        var out = JSONObject()
        let metadata = component["$metadata"]?.objectValue ?? JSONObject()
        var canonicalMetadata = JSONObject()
        if let time = metadata["$lastUpdateTime"] { canonicalMetadata["$lastUpdateTime"] = time }
        for member in component.members where !member.key.hasPrefix("$") {
            out[member.key] = member.value
            if case .object(let entry)? = metadata[member.key] {
                canonicalMetadata[member.key] = .object(canonicalEntry(entry))
            }
        }
        out["$metadata"] = .object(canonicalMetadata)
        return out
    }

    static func canonicalEntry(_ entry: JSONObject) -> JSONObject {
        var out = JSONObject()
        if let t = entry["lastUpdateTime"] { out["lastUpdateTime"] = t }
        if let t = entry["sourceTime"] { out["sourceTime"] = t }
        return out
    }
}
