import ADTWire

extension DigitalTwinsClient {
    /// Creates or replaces a relationship (`PUT /digitaltwins/{sourceID}/relationships/{id}`);
    /// the body needs `$targetId` and `$relationshipName`. Returns it as stored.
    ///
    /// - Parameter ifNoneMatch: `"*"` to create only (412 if the id exists on the source).
    @discardableResult
    public func createOrReplaceRelationship(
        sourceID: String, relationshipID: String, _ relationship: JSONObject, ifNoneMatch: String? = nil
    )
        async throws -> BasicRelationship
    {
        var call = Call(
            method: .put, path: ["digitaltwins", sourceID, "relationships", relationshipID],
            body: Self.body(.object(relationship)))
        call.headers["If-None-Match"] = ifNoneMatch
        let response = try await perform(call)
        return BasicRelationship(json: try object(response), etag: response.headers["ETag"])
    }

    /// Creates or replaces `relationship` under its source and id.
    @discardableResult
    public func createOrReplaceRelationship(_ relationship: BasicRelationship, ifNoneMatch: String? = nil) async throws
        -> BasicRelationship
    {
        guard !relationship.sourceID.isEmpty, !relationship.id.isEmpty else {
            throw ADTError.invalidArgument("the relationship needs $sourceId and $relationshipId")
        }
        return try await createOrReplaceRelationship(
            sourceID: relationship.sourceID, relationshipID: relationship.id, relationship.json,
            ifNoneMatch: ifNoneMatch)
    }

    /// A relationship (`GET /digitaltwins/{sourceID}/relationships/{id}`), with its ETag.
    public func getRelationship(sourceID: String, relationshipID: String) async throws -> BasicRelationship {
        let response = try await perform(
            Call(method: .get, path: ["digitaltwins", sourceID, "relationships", relationshipID]))
        return BasicRelationship(json: try object(response), etag: response.headers["ETag"])
    }

    /// Applies a JSON Patch to a relationship's properties; returns the new ETag.
    @discardableResult
    public func updateRelationship(
        sourceID: String, relationshipID: String, patch: [JSONPatchOperation], ifMatch: String? = nil
    )
        async throws -> String?
    {
        var call = Call(
            method: .patch, path: ["digitaltwins", sourceID, "relationships", relationshipID], body: Self.body(patch),
            contentType: "application/json-patch+json")
        call.headers["If-Match"] = ifMatch
        return try await perform(call).headers["ETag"]
    }

    /// Applies a JSON Patch document given as JSON to a relationship's properties.
    @discardableResult
    public func updateRelationship(sourceID: String, relationshipID: String, patch: JSONValue, ifMatch: String? = nil)
        async throws -> String?
    {
        try await updateRelationship(
            sourceID: sourceID, relationshipID: relationshipID, patch: try Self.operations(patch), ifMatch: ifMatch)
    }

    /// Deletes a relationship, only if it still has `ifMatch` when given.
    public func deleteRelationship(sourceID: String, relationshipID: String, ifMatch: String? = nil) async throws {
        var call = Call(method: .delete, path: ["digitaltwins", sourceID, "relationships", relationshipID])
        call.headers["If-Match"] = ifMatch
        _ = try await perform(call)
    }

    /// A twin's outgoing relationships, optionally only those named `name`, following `nextLink`.
    public func listRelationships(twinID: String, name: String? = nil) -> ItemSequence<ListPage<BasicRelationship>> {
        var call = Call(method: .get, path: ["digitaltwins", twinID, "relationships"])
        if let name { call.query.append(("relationshipName", name)) }
        return pagedList(call) { value in
            guard case .object(let object) = value else {
                throw ADTError.invalidResponse("a relationship is not an object")
            }
            return BasicRelationship(json: object)
        }
    }

    /// The relationships pointing at a twin (source, id and name only), following `nextLink`.
    public func listIncomingRelationships(twinID: String) -> ItemSequence<ListPage<IncomingRelationship>> {
        pagedList(Call(method: .get, path: ["digitaltwins", twinID, "incomingrelationships"])) { value in
            guard case .object(let object) = value else {
                throw ADTError.invalidResponse("an incoming relationship is not an object")
            }
            return IncomingRelationship(json: object)
        }
    }
}
