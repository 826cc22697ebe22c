import ADTWire

/// Writes the service-maintained times into a twin's `$metadata`, given the current time as
/// text (this module reads no clock). ADT's layout (recorded, api-version 2022-05-31 and
/// later): `$metadata.$lastUpdateTime` for the twin, `$metadata.<prop>.lastUpdateTime` per set
/// property, and the same inside each component's `$metadata` (without `$model`).
public enum TwinMetadataStamping {
    /// Stamps a twin just created or replaced with PUT: every property present, every component
    /// and the twin itself get `now`. Client `sourceTime`s are kept.
    ///
    /// - Parameters:
    ///   - twin: a validated twin.
    ///   - model: its interface (to tell components from properties).
    ///   - now: the time to write, e.g. `2022-02-28T00:30:00.1234567Z`.
    public static func stampCreated(_ twin: JSONObject, model: InterfaceModel, now: String) -> JSONObject {
        var result = twin
        var metadata = result["$metadata"]?.objectValue ?? JSONObject()
        metadata["$lastUpdateTime"] = .string(now)
        for member in twin.members where !member.key.hasPrefix("$") {
            if model.components[member.key] != nil, case .object(var component) = member.value {
                var componentMetadata = component["$metadata"]?.objectValue ?? JSONObject()
                componentMetadata["$lastUpdateTime"] = .string(now)
                for inner in component.members where !inner.key.hasPrefix("$") {
                    stamp(inner.key, in: &componentMetadata, now: now)
                }
                component["$metadata"] = .object(componentMetadata)
                result[member.key] = .object(component)
            } else {
                stamp(member.key, in: &metadata, now: now)
            }
        }
        result["$metadata"] = .object(metadata)
        return result
    }

    /// Stamps a patched twin: the properties set by the patch, the components holding them and
    /// the twin get `now`. Removed properties have no metadata left to stamp; a `sourceTime`
    /// change alone stamps nothing but the twin's `$lastUpdateTime` when `stampSourceTimeOnly`
    /// is false.
    public static func stampPatched(
        _ twin: JSONObject, changes: [PropertyChange], now: String, stampSourceTimeOnly: Bool = false
    ) -> JSONObject {
        var result = twin
        var metadata = result["$metadata"]?.objectValue ?? JSONObject()
        metadata["$lastUpdateTime"] = .string(now)
        for change in changes {
            switch change.effect {
            case .removed: continue
            case .sourceTimeOnly where !stampSourceTimeOnly: continue
            default: break
            }
            if let name = change.component {
                guard case .object(var component)? = result[name] else { continue }
                var componentMetadata = component["$metadata"]?.objectValue ?? JSONObject()
                componentMetadata["$lastUpdateTime"] = .string(now)
                stamp(change.name, in: &componentMetadata, now: now)
                component["$metadata"] = .object(componentMetadata)
                result[name] = .object(component)
            } else {
                stamp(change.name, in: &metadata, now: now)
            }
        }
        result["$metadata"] = .object(metadata)
        return result
    }

    static func stamp(_ property: String, in metadata: inout JSONObject, now: String) {
        var entry = metadata[property]?.objectValue ?? JSONObject()
        entry["lastUpdateTime"] = .string(now)
        metadata[property] = .object(entry)
    }
}
