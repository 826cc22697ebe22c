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

extension DigitalTwinsClient {
    /// Watches the gateway's live notifications (`GET /events`, Server-Sent Events): calls
    /// `onEvent` with each notification's CloudEvents JSON that `filter` (ADT's route filter
    /// language) matches, as it comes, until the task is cancelled or the gateway ends the
    /// stream. This project's gateway only.
    public func watchEvents(filter: String? = nil, onEvent: @escaping @Sendable (String) -> Void) async throws {
        let parser = ServerSentEvents(onData: onEvent)
        var call = Call(method: .get, path: ["events"])
        if let filter { call.query.append(("filter", filter)) }
        call.accept = "text/event-stream"
        call.timeout = .seconds(366 * 86400)
        call.bodyChunks = { parser.feed($0) }
        _ = try await perform(call)
    }
}

/// Reads a Server-Sent Events stream: lines up to an empty line make an event; its `data:`
/// lines, joined, go to `onData`. Comments (`:`) and other fields are skipped.
final class ServerSentEvents: @unchecked Sendable {
    private let onData: @Sendable (String) -> Void
    private var pending: [UInt8] = []
    private var data: [String] = []

    init(onData: @escaping @Sendable (String) -> Void) { self.onData = onData }

    /// Called from one thread at a time (the transport's).
    func feed(_ bytes: [UInt8]) {
        pending += bytes
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.isEmpty {
                if !data.isEmpty { onData(data.joined(separator: "\n")) }
                data = []
            } else if line.starts(with: Array("data:".utf8)) {
                var value = line.dropFirst(5)
                if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
                data.append(String(decoding: value, as: UTF8.self))
            }
        }
    }
}
