import ADTWire
import DTDL

/// A whole-twin replacement expressed as one JSON Patch, for ``DigitalTwinsService`` adapters.
///
/// ADT's `PUT /digitaltwins/{id}` takes no `If-Match`, so a conditional
/// ``DigitalTwinsService/replaceTwin(id:_:ifMatch:)`` cannot be a PUT. An adapter can instead
/// GET the twin (404 → not found; ETag ≠ `ifMatch` → 412) and send this patch with
/// `If-Match: ifMatch`; ADT applies a patch atomically and may change `$model` in the same
/// request, so the result is the replacement, or a 412 if the twin changed meanwhile.
public enum TwinReplacement {
    /// The patch turning `current` (a twin as served) into `replacement` (a twin as it would be
    /// PUT): every user member of `current` missing from `replacement` is removed, every
    /// member of `replacement` is added or replaced, `$metadata/$model` is replaced, and the
    /// replacement's `sourceTime`s are written.
    public static func patch(from current: JSONObject, to replacement: JSONObject) -> JSONValue {
        var operations: [JSONValue] = []
        func op(_ name: String, _ tokens: [String], _ value: JSONValue? = nil) {
            var o = JSONObject([("op", .string(name)), ("path", .string(JSONPointer(tokens: tokens).description))])
            if let value { o["value"] = value }
            operations.append(.object(o))
        }
        for (name, _) in current where !name.hasPrefix("$") && replacement[name] == nil {
            op("remove", [name])
        }
        if let model = replacement["$metadata"]?["$model"] {
            op("replace", ["$metadata", "$model"], model)
        }
        for (name, value) in replacement where !name.hasPrefix("$") {
            op(current[name] == nil ? "add" : "replace", [name], value)
        }
        for (name, entry) in replacement["$metadata"]?.objectValue ?? JSONObject() where !name.hasPrefix("$") {
            if let sourceTime = entry["sourceTime"] {
                op("replace", ["$metadata", name, "sourceTime"], sourceTime)
            }
        }
        return .array(operations)
    }
}
