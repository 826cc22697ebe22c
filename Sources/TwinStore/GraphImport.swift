import ADTWire
import DTDL
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// Bulk writes for import jobs: models as one batch, twins and relationships in large batches,
/// each validated by the DTDL engine as the API's own writes are. They run in the caller's
/// transaction, so the job records its progress in the same commit.
///
/// An item that fails (invalid, already there, a missing twin) is reported and left out; the
/// rest of the batch is written with one multi-row statement per table. Each written twin and
/// relationship records its `Create` notification, as a `PUT` would.
public struct GraphImport: Sendable {
    /// An item of the file: its 1-based line and its JSON object.
    public struct Item: Sendable {
        /// The line in the input file.
        public var line: Int
        /// The object on that line.
        public var value: JSONObject
        /// An item.
        public init(line: Int, value: JSONObject) {
            self.line = line
            self.value = value
        }
    }

    /// An item left out, and why.
    public struct Failure: Sendable {
        /// The line in the input file.
        public var line: Int
        /// The twin's or relationship's id, when it has one.
        public var id: String?
        /// Why, in ADT's terms.
        public var error: ServiceError
    }

    /// What a batch did.
    public struct Outcome: Sendable {
        /// Items written.
        public var written = 0
        /// Items left out.
        public var failures: [Failure] = []
    }

    let client: PostgresClient
    let catalog: ModelCatalog
    let eventSource: String
    let logger: Logger

    /// Bulk writes over `client`, sharing `catalog` with the rest of the process.
    public init(
        client: PostgresClient, catalog: ModelCatalog, logger: Logger,
        eventSource: String = ChangeNotifications.defaultSource
    ) {
        self.client = client
        self.catalog = catalog
        self.eventSource = eventSource
        self.logger = logger
    }

    /// Uploads every model of the file as one batch, all or nothing (dependency order within
    /// the batch does not matter). Call ``modelsCommitted(_:)`` with the result after the commit.
    public func addModels(_ models: [JSONValue], on connection: PostgresConnection) async throws
        -> ModelCatalog.Snapshot
    {
        let store = ModelStore(client: client, catalog: catalog, logger: logger)
        return try await store.insert(ModelStore.documents(models), on: connection)
    }

    /// Installs the graph of committed models (saves reloading them).
    public func modelsCommitted(_ snapshot: ModelCatalog.Snapshot) async { await catalog.install(snapshot) }

    /// Creates the twins of a batch. A twin whose id exists already is left out
    /// (`DigitalTwinAlreadyExists`): an import creates, it never overwrites.
    public func addTwins(_ items: [Item], on connection: PostgresConnection) async throws -> Outcome {
        let snapshot = try await catalog.current(on: connection)
        let validator = InstanceValidator(graph: snapshot.graph)
        var outcome = Outcome()
        var seen: Set<String> = []
        var ids: [String] = [], models: [String] = [], etags: [String] = [], bodies: [String] = []
        var lines: [Int] = []
        var documents: [JSONObject] = []
        let now = UTCTimestamp.now()
        for item in items {
            guard case .string(let id)? = item.value["$dtId"], !id.isEmpty else {
                outcome.failures.append(
                    Failure(line: item.line, id: nil, error: ServiceError("ValidationFailed", "The twin has no $dtId."))
                )
                continue
            }
            do {
                guard seen.insert(id).inserted else { throw ServiceError.twinExists(id) }
                let model: InterfaceModel
                do {
                    model = try validator.validateTwin(item.value)
                } catch {
                    throw ServiceError.invalidTwin(error)
                }
                if snapshot.decommissioned.contains(model.id) {
                    throw ServiceError(
                        "ModelDecommissioned",
                        "The model \(model.id) is decommissioned. New twins cannot be created with it; use another version of the model."
                    )
                }
                let etag = WeakETag.new()
                let stamped = TwinMetadataStamping.stampCreated(item.value, model: model, now: now)
                let document = TwinDocument.canonical(stamped, id: id, etag: etag.header, model: model)
                ids.append(id)
                models.append(model.id)
                etags.append(etag.uuid)
                bodies.append(JSONWriter.string(.object(document)))
                lines.append(item.line)
                documents.append(document)
            } catch let error as ServiceError {
                outcome.failures.append(Failure(line: item.line, id: id, error: error))
            }
        }
        guard !ids.isEmpty else { return outcome }
        let rows = try await connection.tracedQuery(
            """
            INSERT INTO twins (id, model_id, etag, body)
            SELECT * FROM unnest(\(ids)::text[], \(models)::text[], \(etags)::uuid[], \(bodies)::json[])
            ON CONFLICT (id) DO NOTHING RETURNING id
            """, logger: logger)
        var written: Set<String> = []
        for try await id in rows.decode(String.self) { written.insert(id) }
        var events: [String] = []
        for (index, id) in ids.enumerated() {
            if written.contains(id) {
                events.append(
                    ChangeEvent.twinCreate(id: id, twin: .object(documents[index]), time: now).text(source: eventSource)
                )
            } else {
                outcome.failures.append(Failure(line: lines[index], id: id, error: .twinExists(id)))
            }
        }
        try await Self.writeEvents(events, on: connection, logger: logger)
        outcome.written = written.count
        outcome.failures.sort { $0.line < $1.line }
        return outcome
    }

    /// Creates the relationships of a batch: each names its source twin with `$dtId`. Both twins
    /// must exist (in the instance or in an earlier batch) and the relationship must conform to
    /// the source's model; one that exists already is left out (`RelationshipAlreadyExists`).
    public func addRelationships(_ items: [Item], on connection: PostgresConnection) async throws -> Outcome {
        let snapshot = try await catalog.current(on: connection)
        let validator = InstanceValidator(graph: snapshot.graph)
        var twinIDs: Set<String> = []
        for item in items {
            if case .string(let source)? = item.value["$dtId"] { twinIDs.insert(source) }
            if case .string(let target)? = item.value["$targetId"] { twinIDs.insert(target) }
        }
        // No row locks here: the foreign keys check both twins again as the rows go in, so a twin
        // deleted meanwhile fails the batch (the job then retries it from its last commit, and
        // reports the relationship) instead of leaving a dangling one.
        let found = try await connection.tracedQuery(
            "SELECT id, model_id FROM twins WHERE id = ANY(\(Array(twinIDs)))", logger: logger)
        var modelOf: [String: String] = [:]
        for try await (id, model) in found.decode((String, String).self) { modelOf[id] = model }

        var outcome = Outcome()
        var seen: Set<String> = []
        var sources: [String] = [], ids: [String] = [], names: [String] = [], targets: [String] = []
        var etags: [String] = [], bodies: [String] = [], lines: [Int] = []
        var documents: [JSONObject] = []
        for item in items {
            let relationshipID = item.value["$relationshipId"]?.stringValue
            do {
                guard case .string(let source)? = item.value["$dtId"], !source.isEmpty else {
                    throw ServiceError(
                        "ValidationFailed", "The relationship has no $dtId naming its source twin.")
                }
                guard let id = relationshipID, !id.isEmpty else {
                    throw ServiceError("ValidationFailed", "The relationship has no $relationshipId.")
                }
                guard seen.insert(source + "\u{0}" + id).inserted else {
                    throw ServiceError.relationshipExists(id, source: source)
                }
                guard let sourceModelID = modelOf[source] else { throw ServiceError.twinNotFound(source) }
                guard case .string(let target)? = item.value["$targetId"] else {
                    throw ServiceError(
                        "ValidationFailed", "The relationship has no $targetId. Set it to the id of the target twin.")
                }
                guard target != source else {
                    throw ServiceError(
                        "OperationNotAllowed", "The relationship cannot connect to the same digital twin.")
                }
                guard let targetModelID = modelOf[target] else { throw ServiceError.targetTwinNotFound() }
                guard let sourceModel = snapshot.graph[sourceModelID] else {
                    throw ServiceError.invalidTwin(modelID: sourceModelID)
                }
                var body = item.value
                body["$dtId"] = nil
                let definition: RelationshipModel
                do {
                    definition = try validator.validateRelationship(
                        body, sourceModel: sourceModel, targetModelID: targetModelID)
                } catch {
                    throw ServiceError(error)
                }
                let etag = WeakETag.new()
                let document = RelationshipStore.document(body, source: source, id: id, etag: etag.header)
                sources.append(source)
                ids.append(id)
                names.append(definition.name)
                targets.append(target)
                etags.append(etag.uuid)
                bodies.append(JSONWriter.string(.object(document)))
                lines.append(item.line)
                documents.append(document)
            } catch let error as ServiceError {
                outcome.failures.append(Failure(line: item.line, id: relationshipID, error: error))
            }
        }
        guard !ids.isEmpty else { return outcome }
        let rows = try await connection.tracedQuery(
            """
            INSERT INTO relationships (source_id, id, name, target_id, etag, body)
            SELECT * FROM unnest(\(sources)::text[], \(ids)::text[], \(names)::text[], \(targets)::text[],
                \(etags)::uuid[], \(bodies)::json[])
            ON CONFLICT (source_id, id) DO NOTHING RETURNING source_id, id
            """, logger: logger)
        var written: Set<String> = []
        for try await (source, id) in rows.decode((String, String).self) { written.insert(source + "\u{0}" + id) }
        let now = UTCTimestamp.now()
        var events: [String] = []
        for index in ids.indices {
            if written.contains(sources[index] + "\u{0}" + ids[index]) {
                events.append(
                    ChangeEvent.relationshipCreate(
                        source: sources[index], id: ids[index], relationship: .object(documents[index]), time: now
                    ).text(source: eventSource))
            } else {
                outcome.failures.append(
                    Failure(
                        line: lines[index], id: ids[index],
                        error: .relationshipExists(ids[index], source: sources[index])))
            }
        }
        try await Self.writeEvents(events, on: connection, logger: logger)
        outcome.written = written.count
        outcome.failures.sort { $0.line < $1.line }
        return outcome
    }

    static func writeEvents(_ events: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard !events.isEmpty else { return }
        try await connection.tracedQuery(
            "INSERT INTO outbox (event) SELECT unnest(\(events)::json[])", logger: logger)
    }
}

extension ServiceError {
    /// A twin an import would create exists already.
    static func twinExists(_ id: String) -> ServiceError {
        ServiceError(
            "DigitalTwinAlreadyExists",
            "A digital twin with the id \(id) already exists; an import creates twins and does not replace them.")
    }

    /// A relationship an import would create exists already.
    static func relationshipExists(_ id: String, source: String) -> ServiceError {
        ServiceError(
            "RelationshipAlreadyExists",
            "The relationship \(id) of twin \(source) already exists; an import creates relationships and does not replace them."
        )
    }
}
