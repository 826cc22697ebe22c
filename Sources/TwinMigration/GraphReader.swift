import ADTWire
import DigitalTwinsClient

/// Reads a whole graph, or the part a query selects, from an ADT-compatible instance: models
/// with their definitions, twins and relationships page by page through `POST /query`, so a
/// walk can resume at a page's continuation token.
public struct GraphReader: Sendable {
    /// The source.
    public let client: DigitalTwinsClient
    /// The twins to read: a query whose rows are twins (`SELECT * FROM digitaltwins WHERE …`) or
    /// hold one twin each (`SELECT T FROM digitaltwins T …`); `nil` for every twin.
    public let twinQuery: String?
    /// Requests in flight at most, for the per-twin reads of a partial graph.
    public let concurrency: Int

    /// Rows per query page asked for (ADT answers at most 1,000).
    public static let pageSize = 1000

    /// A reader of `client`'s graph, or of the twins `twinQuery` selects.
    public init(client: DigitalTwinsClient, twinQuery: String? = nil, concurrency: Int = 16) {
        self.client = client
        self.twinQuery = twinQuery
        self.concurrency = max(1, concurrency)
    }

    /// Every model with its definition, in dependency order; with a twin query, only the
    /// models of the twins selected and what they depend on.
    public func models(forTwinModels twinModels: Set<String>? = nil) async throws -> [ModelData] {
        var models: [ModelData] = []
        if let twinModels {
            guard !twinModels.isEmpty else { return [] }
            for try await model in client.listModels(
                dependenciesFor: twinModels.sorted(), includeModelDefinition: true)
            {
                models.append(model)
            }
        } else {
            for try await model in client.listModels(includeModelDefinition: true) { models.append(model) }
        }
        let ordered = GraphItems.dependencyOrder(models.compactMap(\.model))
        let byID = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ordered.compactMap { $0["@id"]?.stringValue.flatMap { byID[$0] } }
    }

    /// The models to move: every model, or with a twin query those of the twins selected and
    /// what they depend on; in dependency order.
    public func selectedModels() async throws -> [ModelData] {
        guard twinQuery != nil else { return try await models() }
        var used: Set<String> = []
        for try await row in twinPages(from: nil).items {
            if let model = Self.twin(fromRow: row)?["$metadata"]?["$model"]?.stringValue { used.insert(model) }
        }
        return try await models(forTwinModels: used)
    }

    /// The pages of twins, from the page `cursor` names.
    public func twinPages(from cursor: String?) -> PageSequence<QueryPage> {
        client.query(twinQuery ?? "SELECT * FROM digitaltwins", pageSize: Self.pageSize).starting(at: cursor)
    }

    /// The pages of every relationship, from the page `cursor` names.
    public func relationshipPages(from cursor: String?) -> PageSequence<QueryPage> {
        client.query("SELECT * FROM relationships", pageSize: Self.pageSize).starting(at: cursor)
    }

    /// Walks the relationships to move, step by step from the step `cursor` names: every
    /// relationship page by page, or with a twin query those between the twins selected, read
    /// per twin 500 twins a step (the cursor is then the index of the step's first twin). Each
    /// step comes in the import format with the cursor of the next step (`nil` after the last).
    public func forEachRelationshipStep(
        from cursor: String?, _ body: (_ relationships: [JSONObject], _ next: String?) async throws -> Void
    ) async throws {
        guard twinQuery != nil else {
            for try await page in relationshipPages(from: cursor) {
                try await body(
                    page.items.compactMap(\.objectValue).map(GraphItems.portableRelationship), page.continuationToken)
            }
            return
        }
        let ids = try await selectedTwinIDs()
        let sources = ids.sorted()
        var index = Int(cursor ?? "0") ?? 0
        while index < sources.count {
            let step = Array(sources[index..<min(index + 500, sources.count)])
            let relationships = try await self.relationships(from: step, within: ids).map(
                GraphItems.portableRelationship)
            index += step.count
            try await body(relationships, index < sources.count ? String(index) : nil)
        }
    }

    /// The twin of a query row: the row itself, or its one member holding a twin.
    public static func twin(fromRow row: JSONValue) -> JSONObject? {
        guard case .object(let object) = row else { return nil }
        if object["$dtId"] != nil { return object }
        if object.count == 1, case .object(let inner)? = object.members.first?.value, inner["$dtId"] != nil {
            return inner
        }
        return nil
    }

    /// How many twins and relationships there are (for progress; `nil` when the count query
    /// fails or a twin query selects the twins).
    public func counts() async -> (twins: Int?, relationships: Int?) {
        func count(_ collection: String) async -> Int? {
            guard let page = try? await client.query("SELECT COUNT() FROM \(collection)").collect().first,
                let value = page.items.first?["COUNT"]?.numberValue
            else { return nil }
            return Int(value)
        }
        return (twinQuery == nil ? await count("digitaltwins") : nil, await count("relationships"))
    }

    /// The ids of the twins the query selects (a partial graph's relationships are those
    /// between them).
    public func selectedTwinIDs() async throws -> Set<String> {
        var ids: Set<String> = []
        for try await row in twinPages(from: nil).items {
            if let id = Self.twin(fromRow: row)?["$dtId"]?.stringValue { ids.insert(id) }
        }
        return ids
    }

    /// The relationships from each of `sources` to a twin in `within`, read per twin with
    /// bounded concurrency.
    public func relationships(from sources: [String], within: Set<String>) async throws -> [JSONObject] {
        try await withThrowingTaskGroup(of: [JSONObject].self) { group in
            var next = 0
            var out: [JSONObject] = []
            func add() {
                let source = sources[next]
                next += 1
                group.addTask {
                    var found: [JSONObject] = []
                    for try await relationship in client.listRelationships(twinID: source)
                    where within.contains(relationship.targetID) {
                        found.append(relationship.json)
                    }
                    return found
                }
            }
            while next < min(concurrency, sources.count) { add() }
            while let found = try await group.next() {
                out += found
                if next < sources.count { add() }
            }
            return out
        }
    }
}
