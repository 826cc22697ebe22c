import DTDL
import Logging

extension InboundDelivery {
    /// Events of one batch handled at once, at most. A batch from Event Grid or an Event Hubs
    /// reader can hold a hundred events; one after the other, each waiting on its Digital
    /// Twins calls, the last would wait for all the others.
    static let eventsInFlight = 16

    /// A function's answer to one delivery: 400 for input it cannot read, the Event Grid
    /// validation handshake, or `handle` for each event (as `read` makes it the function's
    /// work) with the answers combined.
    ///
    /// The events of a batch that change different twins are handled concurrently (at most
    /// ``eventsInFlight`` at a time); those with the same `target` (the twin the work writes)
    /// one after the other in the batch's order, so that a later reading wins. Work without a
    /// target (ignored or malformed events) runs on its own.
    static func dispatch<Work: Sendable>(
        body: [UInt8], headers: [String: String], function: String, logger: Logger,
        read: (InboundEvent) -> Work, target: (Work) -> String?,
        _ handle: @escaping @Sendable (Work) async -> FunctionResponse
    ) async -> FunctionResponse {
        let delivery: InboundDelivery
        do {
            delivery = try classify(body: body, headers: headers)
        } catch {
            logger.warning("\(function) input refused", metadata: ["reason": "\(error.message)"])
            return .badRequest(error.message)
        }
        switch delivery {
        case .subscriptionValidation(let code, _):
            logger.info("answering Event Grid subscription validation")
            return validationResponse(code: code)
        case .events(let events) where events.count == 1:
            return await handle(read(events[0]))
        case .events(let events):
            return BatchResponse.combine(await handleConcurrently(events.map(read), target: target, handle))
        }
    }

    /// Each item's answer, in the items' order.
    static func handleConcurrently<Work: Sendable>(
        _ events: [Work], target: (Work) -> String?, _ handle: @escaping @Sendable (Work) async -> FunctionResponse
    ) async -> [FunctionResponse] {
        // The batch's positions, grouped by target in order of first appearance.
        var groups: [[Int]] = []
        var groupOfTarget: [String: Int] = [:]
        for (index, event) in events.enumerated() {
            let key = target(event)
            if let key, let group = groupOfTarget[key] {
                groups[group].append(index)
            } else {
                if let key { groupOfTarget[key] = groups.count }
                groups.append([index])
            }
        }
        var responses = [FunctionResponse?](repeating: nil, count: events.count)
        await withTaskGroup(of: [(Int, FunctionResponse)].self) { group in
            var pending = groups[...]
            func startNext() {
                guard let positions = pending.popFirst() else { return }
                group.addTask {
                    var answers: [(Int, FunctionResponse)] = []
                    for index in positions { answers.append((index, await handle(events[index]))) }
                    return answers
                }
            }
            for _ in 0..<eventsInFlight { startNext() }
            while let answers = await group.next() {
                for (index, response) in answers { responses[index] = response }
                startNext()
            }
        }
        return responses.map { $0! }
    }
}
