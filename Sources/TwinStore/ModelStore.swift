import ADTWire
import DTDL
import Logging
import PostgresNIO
import PostgresSupport

/// Models in PostgreSQL: upload (all or nothing), list, get, decommission, delete.
public struct ModelStore: Sendable {
    /// ADT's limit of models per `POST /models`.
    public static let maxModelsPerUpload = 250
    /// ADT's limit on one model's JSON text.
    public static let maxModelBytes = 1024 * 1024

    let client: PostgresClient
    let catalog: ModelCatalog
    let logger: Logger

    /// A store over `client`, sharing `catalog` with the rest of the process.
    public init(client: PostgresClient, catalog: ModelCatalog, logger: Logger) {
        self.client = client
        self.catalog = catalog
        self.logger = logger
    }

    /// The columns of a `ModelRecord`, in its order; `$1`-free, for use in several queries.
    static func columns(definition: Bool) -> String {
        """
        m.id, m.seq, m.display_name::text, m.description::text, m.decommissioned,
        to_char(m.upload_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        \(definition ? "m.definition::text" : "NULL::text")
        """
    }

    static func records(_ rows: PostgresRowSequence) async throws -> [ModelRecord] {
        var out: [ModelRecord] = []
        for try await (id, seq, displayName, description, decommissioned, uploadTime, definition) in rows.decode(
            (String, Int64, String, String, Bool, String, String?).self)
        {
            out.append(
                ModelRecord(
                    id: id, seq: seq, displayNameJSON: displayName, descriptionJSON: description,
                    decommissioned: decommissioned, uploadTime: Self.trimmingFraction(uploadTime),
                    definitionJSON: definition))
        }
        return out
    }

    /// ADT writes `uploadTime` with trailing zeros of the fraction trimmed
    /// (`2023-05-18T23:07:57.75642+00:00`).
    static func trimmingFraction(_ time: String) -> String {
        guard let dot = time.firstIndex(of: "."), let plus = time[dot...].firstIndex(where: { $0 == "+" || $0 == "-" })
        else { return time }
        var fraction = time[time.index(after: dot)..<plus]
        while fraction.last == "0" { fraction = fraction.dropLast() }
        return String(time[..<dot]) + (fraction.isEmpty ? "" : "." + fraction) + String(time[plus...])
    }

    // MARK: Upload

    /// Uploads a batch of interfaces, all or nothing: each is checked by the DTDL engine with
    /// ADT's rules, references must be satisfied by the batch or by models already uploaded, and
    /// no id may exist already. Returns the new records, in the order given.
    public func add(_ body: JSONValue) async throws -> [ModelRecord] {
        let documents = try Self.uploadDocuments(body)
        let ids = documents.map { $0.id }
        let (records, snapshot) = try await client.transaction(logger: logger) { connection in
            let snapshot = try await insert(documents, on: connection)
            let rows = try await connection.tracedQuery(
                """
                SELECT \(unescaped: Self.columns(definition: false)) FROM models m WHERE m.id = ANY(\(ids))
                """, logger: logger)
            let byID = Dictionary(uniqueKeysWithValues: try await Self.records(rows).map { ($0.id, $0) })
            return (ids.compactMap { byID[$0] }, snapshot)
        }
        // Only once committed: an uncommitted graph must never serve.
        await catalog.install(snapshot)
        return records
    }

    /// Inserts interfaces in the caller's transaction, all or nothing, and bumps the model
    /// generation; returns the new graph, for the caller to install once committed.
    func insert(_ documents: [UploadDocument], on connection: PostgresConnection) async throws
        -> ModelCatalog.Snapshot
    {
        let ids = documents.map(\.id)
        let generation = try await ModelCatalog.generation(on: connection, forUpdate: true, logger: logger)
        let existing = try await catalog.snapshot(generation: generation, on: connection)
        let clashes = ids.filter { existing.graph[$0] != nil }
        guard clashes.isEmpty else { throw ServiceError.modelAlreadyExists(clashes) }
        let graph: ModelGraph
        do {
            graph = try ModelParser.parse(
                documents: documents.map(\.value), options: .init(adtRestrictions: true), existing: existing.graph)
        } catch {
            throw ServiceError.uploadRejected(error)
        }
        for document in documents {
            guard let model = graph[document.id] else { continue }
            let displayName = JSONWriter.string(.object(Self.languageMap(model.displayName)))
            let description = JSONWriter.string(.object(Self.languageMap(model.description)))
            try await connection.tracedQuery(
                """
                INSERT INTO models (id, definition, display_name, description)
                VALUES (\(document.id), \(document.text)::json, \(displayName)::json, \(description)::json)
                """, logger: logger)
            try await connection.tracedQuery(
                """
                INSERT INTO model_bases (model_id, base_id) SELECT \(document.id), unnest(\(Array(model.allBases))::text[])
                """, logger: logger)
            let references = Array(Set(model.directBases + model.components.values.map(\.schema)))
            try await connection.tracedQuery(
                """
                INSERT INTO model_references (model_id, referenced_id)
                SELECT \(document.id), unnest(\(references)::text[])
                """, logger: logger)
        }
        let newGeneration = try await Self.bumpGeneration(on: connection, logger: logger)
        return ModelCatalog.Snapshot(generation: newGeneration, graph: graph, decommissioned: existing.decommissioned)
    }

    /// One interface of an upload: its id, its JSON value and its JSON text as stored.
    struct UploadDocument: Sendable {
        let id: String
        let value: JSONValue
        let text: String
    }

    /// Checks the shape of a `POST /models` body: a non-empty array of at most 250 objects with
    /// string `@id`s, each at most 1 MB.
    static func uploadDocuments(_ body: JSONValue) throws -> [UploadDocument] {
        guard case .array(let items) = body, !items.isEmpty else {
            throw ServiceError.invalidArgument(
                "Operation failed as models provided was empty or of a type that is not supported.. Check that your Model Array contains at least one item and it is of a supported type. See link(https://aka.ms/ADTv2Models) for details."
            )
        }
        guard items.count <= maxModelsPerUpload else {
            throw ServiceError(
                "LimitExceeded",
                "A request can upload at most \(maxModelsPerUpload) models; this one has \(items.count). Upload them in batches, dependencies first."
            )
        }
        return try documents(items)
    }

    /// Checks each interface of a batch: an object with a string `@id`, not repeated, at most
    /// 1 MB.
    static func documents(_ items: [JSONValue]) throws -> [UploadDocument] {
        var seen: Set<String> = []
        return try items.enumerated().map { index, item in
            guard case .object = item else {
                throw ServiceError.uploadRejected(
                    "Element \(index) of the request body is not a JSON object; each model must be a DTDL Interface.")
            }
            guard let id = item["@id"]?.stringValue else {
                throw ServiceError.uploadRejected(
                    "In source, top-level JSON element requires an identifer but none provided. Add an '@id' property whose value is a string that conforms to the DTMI syntax -- see https://github.com/Azure/digital-twin-model-identifier."
                )
            }
            guard seen.insert(id).inserted else {
                throw ServiceError.invalidArgument("The model \(id) appears more than once in the request.")
            }
            let text = JSONWriter.string(item)
            guard text.utf8.count <= maxModelBytes else {
                throw ServiceError(
                    "LimitExceeded", "The model \(id) is \(text.utf8.count) bytes; a model may be at most 1 MB.")
            }
            return UploadDocument(id: id, value: item, text: text)
        }
    }

    static func languageMap(_ map: [String: String]) -> JSONObject {
        JSONObject(map.sorted { $0.key < $1.key }.map { (key: $0.key, value: .string($0.value)) })
    }

    static func bumpGeneration(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.tracedQuery(
            "UPDATE model_generation SET generation = generation + 1 RETURNING generation", logger: logger)
        for try await generation in rows.decode(Int64.self) {
            try await connection.tracedQuery("SELECT pg_notify('twins_models', \(String(generation)))", logger: logger)
            return generation
        }
        throw ServiceError.generationMissing
    }
}

extension ServiceError {
    /// Models that exist already (409; ADT's code on the wire is `ModelIdAlreadyExists`, not
    /// the specification's `ModelAlreadyExists`).
    public static func modelAlreadyExists(_ ids: [String]) -> ServiceError {
        ServiceError(
            "ModelIdAlreadyExists",
            "Some of the model ids already exist: \(ids.joined(separator: ", ")). Use Model_List API to view models that already exist. See the Swagger example (https://aka.ms/ModelListSwSmpl)."
        )
    }

    /// A model upload refused by the DTDL engine, wrapped as ADT words it.
    static func uploadRejected(_ error: DTDLError) -> ServiceError {
        if error.code == .dtdlParserError { return uploadRejected(error.message) }
        return ServiceError(error)
    }

    static func uploadRejected(_ reason: String) -> ServiceError {
        ServiceError(
            "DTDLParserError",
            "None of the models in this request could be created due to a problem with one or more models: \(reason). See model documentation(https://aka.ms/ADTv2Models) for supported format."
        )
    }
}
