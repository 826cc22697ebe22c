import ADTWire
import DigitalTwinsClient
import Logging
import TwinMigration

/// Applies the change notifications of one ADT-compatible instance to another through the
/// client: the code of both bridge directions (a `digitaltwins` event endpoint sends ours to
/// Azure; the `ApplyDigitalTwinsEvents` function applies Azure's to ours).
///
/// | notification | on the target |
/// |---|---|
/// | `Twin.Create` | `PUT` with `If-None-Match: *`; a twin that exists is merged as a replace (``TwinMerge``) |
/// | `Twin.Update` | read, merge the JSON Patch property by property (``TwinMerge``), `PATCH` with `If-Match` |
/// | `Twin.Delete` | the twin's relationships and then the twin deleted; one that is gone is done |
/// | `Relationship.Create` | `PUT` with `If-None-Match: *`; other content replaces, the same writes nothing |
/// | `Relationship.Update` | read, apply leniently, `PATCH` with `If-Match` when something changes |
/// | `Relationship.Delete` | `DELETE`; one that is gone is done |
///
/// Every request carries a ``BridgeMarker`` trace context, so the target's notifications of
/// these writes are recognised as echoes and not applied back. A twin's model missing on the
/// target is uploaded first (``BridgeSource``). Applying a notification twice changes nothing
/// the second time.
public struct ChangeApplier: Sendable {
    let target: DigitalTwinsClient
    let source: (any BridgeSource)?
    let models: ModelSync
    private(set) var memory: any BridgeMemory
    let ordered: Bool
    let logger: Logger
    let locks = KeyedLock()
    /// With unordered notifications and no source to ask, how long a change waits for the
    /// twin or relationship it needs to be created; after that it counts as deleted.
    var missingGrace: Duration = .seconds(300)

    /// An applier to `target`.
    ///
    /// - Parameters:
    ///   - source: the side the notifications come from, for models and for telling "not yet
    ///     created" from "deleted since" (``BridgeSource``); `nil` for none.
    ///   - ordered: whether a twin's notifications arrive in order (the gateway's delivery);
    ///     Event Grid's may not.
    public init(
        target: DigitalTwinsClient, source: (any BridgeSource)?, memory: any BridgeMemory, ordered: Bool,
        logger: Logger
    ) {
        self.target = target
        self.source = source
        self.models = ModelSync(target: target, source: source)
        self.memory = memory
        self.ordered = ordered
        self.logger = logger
    }

    /// The same applier keeping its memory in `memory` (a batch's, read and written once).
    public func remembering(in memory: any BridgeMemory) -> ChangeApplier {
        var copy = self
        copy.memory = memory
        return copy
    }

    /// Applies one notification (a CloudEvent as JSON); never throws: the outcome says.
    public func apply(_ event: JSONObject) async -> BridgeOutcome {
        if BridgeMarker.isEcho(event) { return BridgeOutcome(.echo) }
        let type = event["type"]?.stringValue ?? ""
        let time = event["time"]?.stringValue
        guard case .object(let data)? = event["data"] else {
            return type.hasPrefix("Microsoft.DigitalTwins.")
                ? BridgeOutcome(failure: "the notification has no data") : BridgeOutcome(.ignored)
        }
        // The twin the change belongs to (a relationship's source), held while it is applied.
        var twin = event["subject"]?.stringValue ?? ""
        if let range = twin.range(of: "/relationships/") { twin = String(twin[..<range.lowerBound]) }
        do {
            return try await locks.withLock(twin) {
                try await applyHeld(type: type, event: event, data: data, time: time)
            }
        } catch let error as BridgeFailure {
            return BridgeOutcome(failure: error.description)
        } catch let error as ADTError {
            return BridgeOutcome(failure: error.description)
        } catch {
            return BridgeOutcome(failure: "\(error)")
        }
    }

    func applyHeld(type: String, event: JSONObject, data: JSONObject, time: String?) async throws -> BridgeOutcome {
        do {
            return try await DigitalTwinsClient.$traceparent.withValue(BridgeMarker.traceparent()) {
                switch type {
                case "Microsoft.DigitalTwins.Twin.Create":
                    return try await createTwin(data, time: time)
                case "Microsoft.DigitalTwins.Twin.Update":
                    return try await updateTwin(subject(event), data: data, time: time)
                case "Microsoft.DigitalTwins.Twin.Delete":
                    return try await deleteTwin(data["$dtId"]?.stringValue ?? subject(event))
                case "Microsoft.DigitalTwins.Relationship.Create":
                    return try await createRelationship(data, time: time)
                case "Microsoft.DigitalTwins.Relationship.Update":
                    return try await updateRelationship(subject(event), data: data, time: time)
                case "Microsoft.DigitalTwins.Relationship.Delete":
                    return try await deleteRelationship(subject(event))
                default:
                    return BridgeOutcome(.ignored)
                }
            }
        }
    }

    func subject(_ event: JSONObject) -> String { event["subject"]?.stringValue ?? "" }

    // MARK: Twins

    func createTwin(_ data: JSONObject, time: String?) async throws -> BridgeOutcome {
        let twin = GraphItems.portableTwin(data)
        guard let id = twin["$dtId"]?.stringValue, let model = twin["$metadata"]?["$model"]?.stringValue else {
            throw BridgeFailure("the created twin has no $dtId or $metadata.$model")
        }
        // Out of order, a creation may arrive after the deletion that followed it.
        if !ordered, let source, try await !source.twinExists(id) { return BridgeOutcome(.unchanged) }
        try await models.ensure(model)
        do {
            let created = try await target.createOrReplaceTwin(id: id, twin, ifNoneMatch: "*")
            var records = fingerprints(of: twin, time: time)
            records[Self.etagKey] = created.etag
            try await memory.remember(twin: id, records)
            return BridgeOutcome(.applied)
        } catch let error as ADTError where error.isPreconditionFailed {
            // The twin exists: merged as a replace, property by property.
            return try await mergeTwin(id, time: time) { existing in TwinMerge.replacement(of: existing, with: twin) }
        }
    }

    func updateTwin(_ id: String, data: JSONObject, time: String?) async throws -> BridgeOutcome {
        guard case .array(let items)? = data["patch"] else { throw BridgeFailure("the update has no patch") }
        let patch = try JSONPatchOperation.parseDocument(.array(items))
        if let model = data["modelId"]?.stringValue { try await models.ensure(model) }
        if let applied = try await patchUnchangedTwin(id, patch: patch, time: time) { return applied }
        return try await mergeTwin(id, time: time) { _ in patch }
    }

    /// The memory's key for the ETag the target gave the twin at the bridge's last write.
    static let etagKey = "$etag"

    /// With notifications in order, when the target's twin still has the ETag of a write the
    /// bridge made to a twin wholly its own (a create, or a write made this way), nothing was
    /// written there since: every property holds what the bridge wrote, and a change newer than
    /// each of them applies as it is, with `If-Match`, without reading the twin first. `nil`
    /// when that cannot be known (no such ETag, a path below a property, a change delivered again
    /// that is not newer, another ETag, a patch the target refuses): the change is then merged
    /// after a read, and the ETag is forgotten.
    func patchUnchangedTwin(_ id: String, patch: [JSONPatchOperation], time: String?) async throws -> BridgeOutcome? {
        let remembered = try await memory.fingerprints(twin: id)
        guard ordered, let time, let etag = remembered[Self.etagKey], !etag.isEmpty else { return nil }
        var written: [String: String] = [:]
        for op in patch {
            guard let (unit, relative, isSourceTime) = TwinMerge.Unit.of(op.path.tokens, in: JSONObject()),
                relative.isEmpty, !unit.isModel, unit.path.count == 1
            else { return nil }
            if let record = remembered[unit.key].map(TwinMerge.Remembered.init),
                !TwinMerge.isLater(time, than: record.time)
            {
                return nil
            }
            if !isSourceTime {
                written[unit.key] =
                    TwinMerge.Remembered(fingerprint: fingerprint(op.kind == .remove ? nil : op.value), time: time).text
            }
        }
        do {
            written[Self.etagKey] = try await target.updateTwin(id: id, patch: patch, ifMatch: etag)
        } catch let error as ADTError where error.isPreconditionFailed || error.status == 400 || error.isNotFound {
            return nil
        }
        try await memory.remember(twin: id, written)
        return BridgeOutcome(.applied)
    }

    /// Reads the twin, plans the change against it and patches it with its ETag; a concurrent
    /// write (412) makes it read and plan again.
    func mergeTwin(_ id: String, time: String?, change: (JSONObject) -> [JSONPatchOperation]) async throws
        -> BridgeOutcome
    {
        for _ in 0..<5 {
            let existing: DigitalTwin
            do {
                existing = try await target.getTwin(id: id)
            } catch let error as ADTError where error.isNotFound {
                return try await missing("twin \(id)", time: time) { try await source!.twinExists(id) }
            }
            let remembered = try await memory.fingerprints(twin: id)
            let merge = TwinMerge.plan(
                patch: change(existing.json), eventTime: time, target: existing.json, remembered: remembered)
            for conflict in merge.conflicts {
                logger.notice(
                    "bridge conflict: the target's value kept", metadata: ["twin": "\(id)", "detail": "\(conflict)"])
            }
            guard !merge.operations.isEmpty else {
                if !merge.written.isEmpty {
                    var written = merge.written
                    written[Self.etagKey] = ""
                    try await memory.remember(twin: id, written)
                }
                return BridgeOutcome(
                    merge.conflicts.isEmpty ? .unchanged : .conflict, conflicts: merge.conflicts.count,
                    detail: merge.conflicts.last.map { "twin \(id): \($0)" })
            }
            if let model = merge.newModel { try await models.ensure(model) }
            var written = merge.written
            // Merged against what the target had: not every property is known to be the
            // bridge's, so later changes are merged too (the ETag is forgotten).
            written[Self.etagKey] = ""
            do {
                try await target.updateTwin(id: id, patch: merge.operations, ifMatch: existing.etag ?? "*")
            } catch let error as ADTError where error.isPreconditionFailed {
                continue
            } catch let error as ADTError where error.isNotFound {
                return try await missing("twin \(id)", time: time) { try await source!.twinExists(id) }
            }
            try await memory.remember(twin: id, written)
            return BridgeOutcome(
                .applied, conflicts: merge.conflicts.count, detail: merge.conflicts.last.map { "twin \(id): \($0)" })
        }
        throw BridgeFailure("twin \(id) kept changing on the target; will try again")
    }

    /// Deletes the twin, with the relationships the target still has into or out of it (ADT
    /// refuses to delete a twin that has any): on the source they are gone already (deleted
    /// before the twin), their own notifications may still be on their way from other
    /// partitions; those then find nothing to do.
    func deleteTwin(_ id: String) async throws -> BridgeOutcome {
        guard !id.isEmpty else { throw BridgeFailure("the deleted twin has no id") }
        var deleted = false
        for attempt in 0..<3 {
            do {
                try await target.deleteTwin(id: id)
                deleted = true
                break
            } catch let error as ADTError where error.isNotFound {
                break
            } catch let error as ADTError where error.status == 400 && attempt < 2 {
                var relationships: [(String, String)] = []
                for try await relationship in target.listRelationships(twinID: id) {
                    relationships.append((relationship.sourceID, relationship.id))
                }
                for try await relationship in target.listIncomingRelationships(twinID: id) {
                    relationships.append((relationship.sourceID, relationship.id))
                }
                for (source, relationship) in relationships {
                    do {
                        try await target.deleteRelationship(sourceID: source, relationshipID: relationship)
                    } catch let error as ADTError where error.isNotFound {}
                }
            }
        }
        try await memory.forget(twin: id)
        return BridgeOutcome(deleted ? .applied : .unchanged)
    }

    /// How old a notification is (0 when its time does not read).
    func age(of time: String?) -> Duration {
        guard let time, let seconds = EventTime.seconds(from: time, to: UTCTimestamp.now()) else { return .zero }
        return .seconds(max(0, seconds))
    }

    /// What the memory keeps of a whole twin the bridge wrote.
    func fingerprints(of twin: JSONObject, time: String?) -> [String: String] {
        var out: [String: String] = [:]
        for member in twin.members where !member.key.hasPrefix("$") {
            if case .object(let component) = member.value, component["$metadata"] != nil {
                for inner in component.members where !inner.key.hasPrefix("$") {
                    out[member.key + "/" + inner.key] =
                        TwinMerge.Remembered(fingerprint: fingerprint(inner.value), time: time).text
                }
            } else {
                out[member.key] = TwinMerge.Remembered(fingerprint: fingerprint(member.value), time: time).text
            }
        }
        return out
    }

    /// A change to a twin or relationship the target lacks. On the source still (`exists`),
    /// it is on its way when notifications may arrive out of order: tried again; with them in
    /// order, the target deleted it: the deletion wins, a conflict. Gone from the source too,
    /// the change is moot. Without a source to ask, tried again while young.
    func missing(_ what: String, time: String?, exists: () async throws -> Bool) async throws -> BridgeOutcome {
        let onSource: Bool
        if source != nil {
            onSource = try await exists()
        } else {
            onSource = !ordered && age(of: time) < missingGrace
            if onSource { throw BridgeFailure("\(what) is not on the target (yet)") }
            return conflict("\(what) is gone on the target")
        }
        guard onSource else { return BridgeOutcome(.unchanged) }
        if !ordered && age(of: time) < missingGrace { throw BridgeFailure("\(what) is not on the target yet") }
        return conflict("\(what) was deleted on the target")
    }

    func conflict(_ reason: String) -> BridgeOutcome {
        logger.notice("bridge conflict: the target's deletion wins, change dropped", metadata: ["detail": "\(reason)"])
        return BridgeOutcome(.conflict, conflicts: 1, detail: reason)
    }

    // MARK: Relationships

    /// `<source>/relationships/<id>` as its two ids.
    func relationshipIDs(_ subject: String) throws -> (source: String, id: String) {
        guard let range = subject.range(of: "/relationships/") else {
            throw BridgeFailure("the subject \(subject) names no relationship")
        }
        return (String(subject[..<range.lowerBound]), String(subject[range.upperBound...]))
    }

    func createRelationship(_ data: JSONObject, time: String?) async throws -> BridgeOutcome {
        let portable = GraphItems.portableRelationship(data)
        guard let source = portable["$dtId"]?.stringValue, let id = portable["$relationshipId"]?.stringValue else {
            throw BridgeFailure("the created relationship has no $sourceId or $relationshipId")
        }
        if !ordered, let sourceSide = self.source, try await !sourceSide.relationshipExists(source: source, id: id) {
            return BridgeOutcome(.unchanged)
        }
        let body = GraphItems.relationshipBody(portable)
        do {
            try await target.createOrReplaceRelationship(sourceID: source, relationshipID: id, body, ifNoneMatch: "*")
            return BridgeOutcome(.applied)
        } catch let error as ADTError where error.isPreconditionFailed {
            let existing = try await target.getRelationship(sourceID: source, relationshipID: id)
            if GraphItems.portableRelationship(existing.json) == portable { return BridgeOutcome(.unchanged) }
            try await target.createOrReplaceRelationship(sourceID: source, relationshipID: id, body)
            return BridgeOutcome(.applied)
        } catch let error as ADTError where error.status == 400 || error.isNotFound {
            // Its source or target twin is not on the target: not yet (their notifications
            // travel in other partitions), or no more.
            let target = portable["$targetId"]?.stringValue ?? ""
            let twins = [source, target]
            guard let sourceSide = self.source else {
                guard age(of: time) < missingGrace else { return BridgeOutcome(.unchanged) }
                throw BridgeFailure("relationship \(source)/\(id): \(error.message)")
            }
            for twin in twins where try await !sourceSide.twinExists(twin) {
                // Deleted on the source since: the relationship's deletion follows.
                return BridgeOutcome(.unchanged)
            }
            throw BridgeFailure("relationship \(source)/\(id): waiting for its twins (\(error.message))")
        }
    }

    func updateRelationship(_ subject: String, data: JSONObject, time: String?) async throws -> BridgeOutcome {
        let (source, id) = try relationshipIDs(subject)
        guard case .array(let items)? = data["patch"] else { throw BridgeFailure("the update has no patch") }
        let patch = try JSONPatchOperation.parseDocument(.array(items))
        for _ in 0..<5 {
            let existing: BasicRelationship
            do {
                existing = try await target.getRelationship(sourceID: source, relationshipID: id)
            } catch let error as ADTError where error.isNotFound {
                return try await missing("relationship \(subject)", time: time) {
                    try await self.source!.relationshipExists(source: source, id: id)
                }
            }
            var operations: [JSONPatchOperation] = []
            for op in patch {
                guard let name = op.path.tokens.first, !name.hasPrefix("$") else { continue }
                let current = existing.json[name]
                let value = TwinMerge.lenient(op.kind, op.value, at: Array(op.path.tokens.dropFirst()), in: current)
                guard value != current else { continue }
                operations.removeAll { $0.path.tokens == [name] }
                operations.append(
                    value.map { JSONPatchOperation(kind: .add, path: JSONPointer(tokens: [name]), value: $0) }
                        ?? JSONPatchOperation(kind: .remove, path: JSONPointer(tokens: [name])))
            }
            guard !operations.isEmpty else { return BridgeOutcome(.unchanged) }
            do {
                try await target.updateRelationship(
                    sourceID: source, relationshipID: id, patch: operations, ifMatch: existing.etag ?? "*")
                return BridgeOutcome(.applied)
            } catch let error as ADTError where error.isPreconditionFailed {
                continue
            }
        }
        throw BridgeFailure("relationship \(subject) kept changing on the target; will try again")
    }

    func deleteRelationship(_ subject: String) async throws -> BridgeOutcome {
        let (source, id) = try relationshipIDs(subject)
        do {
            try await target.deleteRelationship(sourceID: source, relationshipID: id)
            return BridgeOutcome(.applied)
        } catch let error as ADTError where error.isNotFound {
            return BridgeOutcome(.unchanged)
        }
    }
}

/// What applying one notification did.
public struct BridgeOutcome: Sendable, Hashable {
    /// The kinds of outcome.
    public enum Kind: String, Sendable, Hashable {
        /// The target was changed.
        case applied
        /// The target had the change already: nothing written.
        case unchanged
        /// The bridge's own change coming back: not applied.
        case echo
        /// Not a twin or relationship change (telemetry): not applied.
        case ignored
        /// The target's own newer change won: nothing written.
        case conflict
        /// Not applied; to be tried again.
        case failed
    }

    /// What happened.
    public var kind: Kind
    /// Property paths (or items) where the target's own change won.
    public var conflicts: Int
    /// Why it failed.
    public var failure: String?
    /// The last conflict, in words.
    public var conflictDetail: String?

    init(_ kind: Kind, conflicts: Int = 0, detail: String? = nil) {
        self.kind = kind
        self.conflicts = conflicts
        self.conflictDetail = detail
    }

    init(failure: String) {
        kind = .failed
        conflicts = 0
        self.failure = failure
    }
}
