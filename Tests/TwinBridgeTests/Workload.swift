import ADTWire
import DigitalTwinsClient

/// Mixed writes on one instance, as applications make them: twins created, patched property by
/// property (a twin's `temperature` counts up, so the order of its changes shows on the other
/// side), a component patched, relationships created, patched and deleted, twins deleted with
/// their relationships. `twins` twins named `<prefix>-<i>` give about 20 writes each.
struct Workload: Sendable {
    let client: DigitalTwinsClient
    let prefix: String
    let twins: Int
    var rounds = 14
    /// Ride over the instance being down or restarted: each write is tried again (for up to
    /// two minutes) when it could not be sent or the answer was lost; a deletion that finds
    /// nothing is done.
    var persistent = false

    func id(_ i: Int) -> String { "\(prefix)-\(i % twins)" }

    /// Runs the writes, `concurrency` twins at a time; returns how many writes were made.
    @discardableResult
    func run(concurrency: Int = 8) async throws -> Int {
        var writes = 0
        writes += try await each(concurrency) { i in
            var twin = JSONObject()
            twin["$metadata"] = .object(JSONObject([(key: "$model", value: "dtmi:bridge:Room;1")]))
            twin["temperature"] = 0
            twin["name"] = .string("room \(i)")
            twin["thermostat"] = .object(
                JSONObject([(key: "$metadata", value: .object(JSONObject())), (key: "setPoint", value: 20)]))
            try await write { try await client.createOrReplaceTwin(id: id(i), twin) }
            return 1
        }
        writes += try await each(concurrency) { i in
            var count = 0
            for (relationship, step) in [("n", 1), ("m", 7)] {
                try await write {
                    try await client.createOrReplaceRelationship(
                        sourceID: id(i), relationshipID: relationship,
                        JSONObject([
                            (key: "$targetId", value: .string(id(i + step))), (key: "$relationshipName", value: "next"),
                            (key: "distance", value: .integer(Int64(step))),
                        ]))
                }
                count += 1
            }
            for round in 1...rounds {
                try await write {
                    try await client.updateTwin(id: id(i), patch: [.replace("/temperature", .integer(Int64(round)))])
                }
                count += 1
            }
            try await write {
                try await client.updateComponent(
                    twinID: id(i), path: "thermostat", patch: [.replace("/setPoint", 22.5)])
            }
            try await write {
                try await client.updateRelationship(
                    sourceID: id(i), relationshipID: "n", patch: [.replace("/distance", 1.5)])
            }
            count += 2
            if i % 2 == 0 {
                try await write(deleting: true) {
                    try await client.deleteRelationship(sourceID: id(i), relationshipID: "m")
                }
                count += 1
            }
            return count
        }
        // The last tenth goes, with the relationships into and out of it.
        writes += try await each(concurrency, range: (twins - twins / 10)..<twins) { i in
            try await write(deleting: true) { try await client.deleteTwin(id: id(i), cascade: true) }
            return 1
        }
        return writes
    }

    /// One write, tried again as ``persistent`` says.
    func write(deleting: Bool = false, _ operation: () async throws -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        var attempt = 0
        while true {
            do {
                try await operation()
                return
            } catch let error as ADTError {
                if persistent && deleting && attempt > 0 && error.isNotFound { return }
                let transient = error.kind == .transport || (error.status.map { $0 >= 500 || $0 == 429 } ?? false)
                guard persistent, transient, ContinuousClock.now < deadline else { throw error }
                attempt += 1
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func each(
        _ concurrency: Int, range: Range<Int>? = nil, _ work: @escaping @Sendable (Int) async throws -> Int
    ) async throws -> Int {
        let indices = Array(range ?? 0..<twins)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            var total = 0
            var next = 0
            for _ in 0..<min(concurrency, indices.count) {
                let i = indices[next]
                next += 1
                group.addTask { try await work(i) }
            }
            while let done = try await group.next() {
                total += done
                if next < indices.count {
                    let i = indices[next]
                    next += 1
                    group.addTask { try await work(i) }
                }
            }
            return total
        }
    }
}
