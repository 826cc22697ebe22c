import ADTWire

/// How a change from the other side meets the target twin: the pure part of applying a twin
/// update (or a create of a twin that exists), property by property.
///
/// The rule, per property path (a top-level property, or a component's property): when the
/// change would give the target a value it does not have,
/// - if the target still holds what the bridge last wrote there (``BridgeMemory``), or the
///   property was never written, the change applies;
/// - else the property was written on the target itself: the later write wins, by the event's
///   time against the property's `lastUpdateTime` on the target. When the target's write is the
///   later one, the change is dropped for that property and reported as a conflict (the
///   target's own change travels the other way and wins there too).
///
/// A change the target already has writes nothing, so echoes end here. Operations are applied
/// leniently (a `remove` of what is gone does nothing, a `replace` of what is missing adds),
/// so a change delivered twice applies once. The result writes whole properties (`add` or
/// `remove` of each changed path, with `sourceTime` as the source gave it), with the target's
/// ETag, so a concurrent write on the target makes the bridge read and plan again.
public struct TwinMerge: Sendable {
    /// The operations to send.
    public var operations: [JSONPatchOperation] = []
    /// The paths dropped because the target's own write is newer, each with a reason.
    public var conflicts: [String] = []
    /// What the operations leave at each written path, for ``BridgeMemory``.
    public var written: [String: String] = [:]
    /// The new model, when the change migrates the twin.
    public var newModel: String?

    /// Plans `patch` (the change's JSON Patch, paths as on the twin) made at `eventTime`
    /// against `target` (the twin as the target has it), knowing what the bridge last wrote.
    public static func plan(
        patch: [JSONPatchOperation], eventTime: String?, target: JSONObject, remembered: [String: String]
    ) -> TwinMerge {
        var merge = TwinMerge()
        var units: [(path: Unit, ops: [(op: JSONPatchOperation, relative: [String], sourceTime: Bool)])] = []
        for op in patch {
            guard let (unit, relative, isSourceTime) = Unit.of(op.path.tokens, in: target) else { continue }
            let entry = (op: op, relative: relative, sourceTime: isSourceTime)
            if let index = units.firstIndex(where: { $0.path == unit }) {
                units[index].ops.append(entry)
            } else {
                units.append((unit, [entry]))
            }
        }
        for (unit, ops) in units {
            if unit.isModel {
                guard let model = ops.last(where: { $0.op.kind != .remove })?.op.value?.stringValue,
                    target["$metadata"]?["$model"]?.stringValue != model
                else { continue }
                merge.newModel = model
                merge.operations.append(
                    JSONPatchOperation(kind: .replace, path: unit.valuePointer, value: .string(model)))
                continue
            }
            let current = unit.value(in: target)
            let currentSourceTime = unit.metadata(in: target)?["sourceTime"]
            var value = current
            var sourceTime = currentSourceTime
            for (op, relative, isSourceTime) in ops {
                if isSourceTime {
                    sourceTime = op.kind == .remove ? nil : op.value
                } else {
                    value = lenient(op.kind, op.value, at: relative, in: value)
                }
            }
            let memory = remembered[unit.key].map(Remembered.init)
            guard value != current || sourceTime != currentSourceTime else {
                // The target holds what this change writes: from now on it counts as the bridge's
                // value (after a crash between a write and its record, this repairs the memory).
                let newer = memory.map { $0.fingerprint != fingerprint(current) || isLater(eventTime, than: $0.time) }
                if newer ?? true {
                    merge.written[unit.key] = Remembered(fingerprint: fingerprint(current), time: eventTime).text
                }
                continue
            }
            if let memory, memory.fingerprint == fingerprint(current) {
                // The bridge's own value: a later change replaces it, an older one (delivered
                // out of order) does not.
                if let eventTime, let time = memory.time, !EventTime.isEarlier(time, than: eventTime) { continue }
            } else if current != nil, let written = unit.metadata(in: target)?["lastUpdateTime"]?.stringValue,
                let eventTime, EventTime.isEarlier(eventTime, than: written)
            {
                merge.conflicts.append(
                    "\(unit.key): the target's own write at \(written) is newer than this change (\(eventTime))")
                continue
            }
            if let value {
                if value != current {
                    merge.operations.append(JSONPatchOperation(kind: .add, path: unit.valuePointer, value: value))
                }
                if let sourceTime, sourceTime != currentSourceTime {
                    merge.operations.append(
                        JSONPatchOperation(kind: .add, path: unit.sourceTimePointer, value: sourceTime))
                }
            } else if current != nil {
                merge.operations.append(JSONPatchOperation(kind: .remove, path: unit.valuePointer))
            }
            merge.written[unit.key] = Remembered(fingerprint: fingerprint(value), time: eventTime).text
        }
        return merge
    }

    /// The operations that turn `target` into `twin` (a create or replace from the other side):
    /// every property of `twin` added, every other one removed, the model replaced.
    public static func replacement(of target: JSONObject, with twin: JSONObject) -> [JSONPatchOperation] {
        var ops: [JSONPatchOperation] = []
        if let model = twin["$metadata"]?["$model"], model != target["$metadata"]?["$model"] {
            ops.append(
                JSONPatchOperation(kind: .replace, path: JSONPointer(tokens: ["$metadata", "$model"]), value: model))
        }
        for member in twin.members where !member.key.hasPrefix("$") {
            if case .object(let component) = member.value, component["$metadata"] != nil,
                case .object(let existing)? = target[member.key], existing["$metadata"] != nil
            {
                for inner in component.members where !inner.key.hasPrefix("$") {
                    ops.append(
                        JSONPatchOperation(
                            kind: .add, path: JSONPointer(tokens: [member.key, inner.key]), value: inner.value))
                    if let sourceTime = component["$metadata"]?[inner.key]?["sourceTime"] {
                        ops.append(
                            JSONPatchOperation(
                                kind: .add,
                                path: JSONPointer(tokens: [member.key, "$metadata", inner.key, "sourceTime"]),
                                value: sourceTime))
                    }
                }
                for inner in existing.members where !inner.key.hasPrefix("$") && component[inner.key] == nil {
                    ops.append(JSONPatchOperation(kind: .remove, path: JSONPointer(tokens: [member.key, inner.key])))
                }
                continue
            }
            ops.append(JSONPatchOperation(kind: .add, path: JSONPointer(tokens: [member.key]), value: member.value))
            if let sourceTime = twin["$metadata"]?[member.key]?["sourceTime"] {
                ops.append(
                    JSONPatchOperation(
                        kind: .add, path: JSONPointer(tokens: ["$metadata", member.key, "sourceTime"]),
                        value: sourceTime))
            }
        }
        for member in target.members where !member.key.hasPrefix("$") && twin[member.key] == nil {
            ops.append(JSONPatchOperation(kind: .remove, path: JSONPointer(tokens: [member.key])))
        }
        return ops
    }

    /// Whether `a` is later than `b`; an unknown time counts as later than any.
    public static func isLater(_ a: String?, than b: String?) -> Bool {
        guard let a else { return true }
        guard let b else { return true }
        return EventTime.isEarlier(b, than: a)
    }

    /// `kind` applied at `tokens` below `value`, forgiving what RFC 6902 refuses: `nil` is a
    /// value that is not there.
    static func lenient(_ kind: JSONPatchOperation.Kind, _ new: JSONValue?, at tokens: [String], in value: JSONValue?)
        -> JSONValue?
    {
        guard !tokens.isEmpty else { return kind == .remove ? nil : new }
        // Below a value that is not there nothing can be set: the change is not applicable.
        guard var root = value else { return nil }
        do {
            try JSONPatchApplier.apply(
                kind == .remove ? .remove : .add, value: new, at: tokens[...], in: &root,
                displayPath: JSONPointer(tokens: tokens))
        } catch {
            return value
        }
        return root
    }

    /// What the bridge wrote at a path: the value's fingerprint and the change's time, as
    /// ``BridgeMemory`` keeps it (`<fingerprint>@<time>`).
    public struct Remembered: Sendable, Hashable {
        /// ``fingerprint(_:)`` of the value.
        public var fingerprint: String
        /// The time of the change that wrote it.
        public var time: String?

        /// A record.
        public init(fingerprint: String, time: String?) {
            self.fingerprint = fingerprint
            self.time = time
        }

        /// Reads `<fingerprint>@<time>`.
        public init(_ text: String) {
            if let at = text.firstIndex(of: "@") {
                fingerprint = String(text[..<at])
                time = String(text[text.index(after: at)...])
            } else {
                fingerprint = text
                time = nil
            }
        }

        /// `<fingerprint>@<time>`.
        public var text: String { time.map { fingerprint + "@" + $0 } ?? fingerprint }
    }

    /// A property path the rule is applied to.
    public struct Unit: Equatable, Sendable {
        /// `[property]` or `[component, property]`; `["$metadata", "$model"]` for the model.
        public let path: [String]

        /// The unit of an operation's path on `twin`, the tokens below the unit, and whether the
        /// operation sets the unit's `sourceTime`; `nil` for a path the bridge does not carry.
        public static func of(_ tokens: [String], in twin: JSONObject) -> (Unit, [String], Bool)? {
            guard let first = tokens.first else { return nil }
            if first == "$metadata" {
                guard tokens.count >= 2 else { return nil }
                if tokens[1] == "$model" { return (Unit(path: ["$metadata", "$model"]), [], false) }
                guard tokens.count == 3, tokens[2] == "sourceTime" else { return nil }
                return (Unit(path: [tokens[1]]), [], true)
            }
            if tokens.count >= 2, case .object(let component)? = twin[first], component["$metadata"] != nil {
                if tokens[1] == "$metadata" {
                    guard tokens.count == 4, tokens[3] == "sourceTime" else { return nil }
                    return (Unit(path: [first, tokens[2]]), [], true)
                }
                return (Unit(path: [first, tokens[1]]), Array(tokens.dropFirst(2)), false)
            }
            return (Unit(path: [first]), Array(tokens.dropFirst()), false)
        }

        /// Whether the unit is the twin's model (`/$metadata/$model`).
        public var isModel: Bool { path == ["$metadata", "$model"] }
        /// The memory's key: `property` or `component/property`.
        public var key: String { path.joined(separator: "/") }
        var valuePointer: JSONPointer { JSONPointer(tokens: path) }
        var sourceTimePointer: JSONPointer {
            path.count == 1
                ? JSONPointer(tokens: ["$metadata", path[0], "sourceTime"])
                : JSONPointer(tokens: [path[0], "$metadata", path[1], "sourceTime"])
        }

        func value(in twin: JSONObject) -> JSONValue? {
            path.count == 1 ? twin[path[0]] : twin[path[0]]?[path[1]]
        }

        func metadata(in twin: JSONObject) -> JSONValue? {
            path.count == 1 ? twin["$metadata"]?[path[0]] : twin[path[0]]?["$metadata"]?[path[1]]
        }
    }
}
