import ADTWire

/// Beyond ADT, on this project's gateway (Data Owners): event delivery's status and dead letters.
extension DigitalTwinsClient {
    /// The endpoints with their delivery status (`GET /endpoints`): `{"value": [...],
    /// "unroutedEvents": n}` as the gateway returns it.
    public func endpointStatus() async throws -> JSONObject {
        try object(try await perform(Call(method: .get, path: ["endpoints"])))
    }

    /// Dead letters, oldest first, of one endpoint or all, following `nextLink`
    /// (`GET /deadletters`); each as the gateway returns it.
    public func listDeadLetters(endpointName: String? = nil, maxItemsPerPage: Int? = nil)
        -> ItemSequence<ListPage<JSONValue>>
    {
        var call = Call(method: .get, path: ["deadletters"])
        if let endpointName { call.query.append(("endpointName", endpointName)) }
        if let maxItemsPerPage { call.headers["max-items-per-page"] = String(maxItemsPerPage) }
        return pagedList(call) { $0 }
    }

    /// Queues dead letters for delivery again (`POST /deadletters/replay`): those with `ids`,
    /// else every one of `endpointName`, else all. Returns how many.
    public func replayDeadLetters(ids: [String]? = nil, endpointName: String? = nil) async throws -> Int {
        var body = JSONObject()
        if let ids { body["ids"] = .array(ids.map(JSONValue.string)) }
        if let endpointName { body["endpointName"] = .string(endpointName) }
        let answer = try object(
            try await perform(Call(method: .post, path: ["deadletters", "replay"], body: Self.body(.object(body)))))
        guard case .integer(let count)? = answer["replayed"] else {
            throw ADTError.invalidResponse("the replay answer has no count")
        }
        return Int(count)
    }
}
