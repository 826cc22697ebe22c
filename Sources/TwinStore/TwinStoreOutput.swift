import ADTWire
import DTDL

/// Response shaping shared by twin routes.
public enum TwinStoreOutput {
    /// Api-versions before 2022-05-31 have no `$lastUpdateTime`: removed from the object's own
    /// `$metadata` and from those of its components (a twin, or one component).
    public static func withoutLastUpdateTime(_ object: JSONObject) -> JSONObject {
        var out = object
        for member in object.members {
            guard case .object(var inner) = member.value else { continue }
            if member.key == "$metadata" {
                inner["$lastUpdateTime"] = nil
                out[member.key] = .object(inner)
            } else if case .object(var metadata)? = inner["$metadata"], metadata["$lastUpdateTime"] != nil {
                metadata["$lastUpdateTime"] = nil
                inner["$metadata"] = .object(metadata)
                out[member.key] = .object(inner)
            }
        }
        return out
    }
}
