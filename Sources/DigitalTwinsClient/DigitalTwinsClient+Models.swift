import ADTWire

extension DigitalTwinsClient {
    /// Uploads DTDL interfaces in one all-or-nothing call (`POST /models`; ADT takes at most
    /// 250 per call). Returns their metadata (without definitions). Not retried once sent: a
    /// repeat would answer `ModelAlreadyExists`.
    public func createModels(_ models: [JSONValue]) async throws -> [ModelData] {
        guard !models.isEmpty else { throw ADTError.invalidArgument("createModels needs at least one model") }
        let response = try await perform(Call(method: .post, path: ["models"], body: Self.body(.array(models))))
        guard case .array(let items) = try json(response) else {
            throw ADTError.invalidResponse("the model upload response is not an array", status: response.status)
        }
        return try items.map(Self.modelData)
    }

    /// One model's metadata (`GET /models/{id}`), with its DTDL definition when asked.
    public func getModel(id: String, includeModelDefinition: Bool = false) async throws -> ModelData {
        let call = Call(
            method: .get, path: ["models", id], query: [("includeModelDefinition", String(includeModelDefinition))])
        return try ModelData(json: try object(try await perform(call)))
    }

    /// All models, following `nextLink` page by page (`GET /models`).
    ///
    /// - Parameters:
    ///   - dependenciesFor: only these models and everything they depend on.
    ///   - includeModelDefinition: include each DTDL definition.
    ///   - maxItemsPerPage: the `max-items-per-page` hint.
    public func listModels(
        dependenciesFor: [String] = [], includeModelDefinition: Bool = false, maxItemsPerPage: Int? = nil
    )
        -> ItemSequence<ListPage<ModelData>>
    {
        var call = Call(method: .get, path: ["models"])
        // collectionFormat "multi": the parameter repeats.
        call.query =
            dependenciesFor.map { ("dependenciesFor", $0) } + [
                ("includeModelDefinition", String(includeModelDefinition))
            ]
        if let maxItemsPerPage { call.headers["max-items-per-page"] = String(maxItemsPerPage) }
        return pagedList(call, Self.modelData)
    }

    /// Marks a model decommissioned: no new twins of it (`PATCH /models/{id}` with
    /// `[{"op":"replace","path":"/decommissioned","value":true}]`). Idempotent.
    public func decommissionModel(id: String) async throws {
        let patch: [JSONPatchOperation] = [.replace("/decommissioned", true)]
        _ = try await perform(
            Call(
                method: .patch, path: ["models", id], body: Self.body(patch),
                contentType: "application/json-patch+json", idempotent: true))
    }

    /// Deletes a model no other model depends on (`DELETE /models/{id}`).
    public func deleteModel(id: String) async throws {
        _ = try await perform(Call(method: .delete, path: ["models", id]))
    }

    @Sendable static func modelData(_ value: JSONValue) throws -> ModelData {
        guard case .object(let object) = value else { throw ADTError.invalidResponse("a model item is not an object") }
        return try ModelData(json: object)
    }
}
