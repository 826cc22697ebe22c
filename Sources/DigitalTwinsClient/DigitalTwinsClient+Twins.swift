import ADTWire

extension DigitalTwinsClient {
    /// A twin (`GET /digitaltwins/{id}`), with its ETag.
    public func getTwin(id: String) async throws -> DigitalTwin {
        let response = try await perform(Call(method: .get, path: ["digitaltwins", id]))
        return DigitalTwin(json: try object(response), etag: response.headers["ETag"])
    }

    /// Creates or replaces a twin (`PUT /digitaltwins/{id}`) and returns it as stored.
    ///
    /// - Parameter ifNoneMatch: `"*"` to create only: an existing twin gives 412
    ///   `PreconditionFailed` (the only value ADT accepts).
    @discardableResult
    public func createOrReplaceTwin(id: String, _ twin: JSONObject, ifNoneMatch: String? = nil) async throws
        -> DigitalTwin
    {
        var call = Call(method: .put, path: ["digitaltwins", id], body: Self.body(.object(twin)))
        call.headers["If-None-Match"] = ifNoneMatch
        let response = try await perform(call)
        return DigitalTwin(json: try object(response), etag: response.headers["ETag"])
    }

    /// Creates or replaces `twin` under its `id` (see ``createOrReplaceTwin(id:_:ifNoneMatch:)``).
    @discardableResult
    public func createOrReplaceTwin(_ twin: DigitalTwin, ifNoneMatch: String? = nil) async throws -> DigitalTwin {
        guard !twin.id.isEmpty else { throw ADTError.invalidArgument("the twin has no $dtId") }
        return try await createOrReplaceTwin(id: twin.id, twin.json, ifNoneMatch: ifNoneMatch)
    }

    /// Applies a JSON Patch to a twin (`PATCH /digitaltwins/{id}`); returns the new ETag.
    /// Not retried once sent (a repeated `add` to an array would apply twice).
    ///
    /// - Parameter ifMatch: an ETag; the patch applies only if the twin still has it (412
    ///   otherwise). `"*"` matches any.
    @discardableResult
    public func updateTwin(id: String, patch: [JSONPatchOperation], ifMatch: String? = nil) async throws -> String? {
        var call = Call(
            method: .patch, path: ["digitaltwins", id], body: Self.body(patch),
            contentType: "application/json-patch+json")
        call.headers["If-Match"] = ifMatch
        return try await perform(call).headers["ETag"]
    }

    /// Applies a JSON Patch document given as JSON (an array of `{"op","path","value"}`), as
    /// received from elsewhere; see the overload taking operations.
    @discardableResult
    public func updateTwin(id: String, patch: JSONValue, ifMatch: String? = nil) async throws -> String? {
        try await updateTwin(id: id, patch: try Self.operations(patch), ifMatch: ifMatch)
    }

    /// Deletes a twin (`DELETE /digitaltwins/{id}`). ADT refuses while it has relationships.
    ///
    /// - Parameters:
    ///   - ifMatch: delete only if the twin still has this ETag.
    ///   - cascade: also delete the twin's relationships (`?cascade=true`, the gateway's
    ///     extension; a real ADT instance ignores or rejects it).
    public func deleteTwin(id: String, ifMatch: String? = nil, cascade: Bool = false) async throws {
        var call = Call(method: .delete, path: ["digitaltwins", id])
        call.headers["If-Match"] = ifMatch
        if cascade { call.query.append(("cascade", "true")) }
        _ = try await perform(call)
    }

    /// A component of a twin (`GET /digitaltwins/{id}/components/{path}`), with the twin's ETag.
    public func getComponent(twinID: String, path: String) async throws -> DigitalTwinComponent {
        let response = try await perform(Call(method: .get, path: ["digitaltwins", twinID, "components", path]))
        return DigitalTwinComponent(json: try object(response), etag: response.headers["ETag"])
    }

    /// Applies a JSON Patch relative to a component (`PATCH .../components/{path}`); returns
    /// the twin's new ETag.
    @discardableResult
    public func updateComponent(twinID: String, path: String, patch: [JSONPatchOperation], ifMatch: String? = nil)
        async throws -> String?
    {
        var call = Call(
            method: .patch, path: ["digitaltwins", twinID, "components", path], body: Self.body(patch),
            contentType: "application/json-patch+json")
        call.headers["If-Match"] = ifMatch
        return try await perform(call).headers["ETag"]
    }

    /// Applies a JSON Patch document given as JSON to a component (see
    /// the twin overload).
    @discardableResult
    public func updateComponent(twinID: String, path: String, patch: JSONValue, ifMatch: String? = nil) async throws
        -> String?
    {
        try await updateComponent(twinID: twinID, path: path, patch: try Self.operations(patch), ifMatch: ifMatch)
    }

    /// The operations of a patch document, checked (``ADTError/Kind-swift.struct/invalidArgument``
    /// when it is not an array of add/replace/remove operations).
    static func operations(_ document: JSONValue) throws -> [JSONPatchOperation] {
        do {
            return try JSONPatchOperation.parseDocument(document)
        } catch {
            throw ADTError(kind: .invalidArgument, message: "invalid JSON Patch: \(error.message)", underlying: error)
        }
    }
}
