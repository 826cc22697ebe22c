import ADTWire
import DigitalTwinsClient
import Foundation

/// Writes models, twins and relationships to an ADT-compatible instance through its API, many
/// at a time, without writing anything twice.
///
/// Twins and relationships are created with `If-None-Match: *`. When one exists already (412)
/// it is read: the same content counts as done without a write; other content is replaced. So a
/// copy resumed after an interruption, or run again, writes only what is missing or different.
public struct GraphWriter: Sendable {
    /// The target.
    public let client: DigitalTwinsClient
    /// Requests in flight at most.
    public let concurrency: Int
    /// Spaces the writes out to at most this many per second (ADT's published limits: about 50
    /// twin writes per second on a standard instance); `nil` for as fast as the target answers.
    public let limiter: RateLimiter?

    /// What happened to one item.
    public enum Outcome: Sendable {
        /// Written.
        case written
        /// Already there with the same content.
        case unchanged
        /// Already there with other content, and replaced.
        case replaced
        /// Refused by the target (the item is reported, the rest goes on).
        case failed(String)
    }

    /// A writer to `client`.
    public init(client: DigitalTwinsClient, concurrency: Int = 16, limiter: RateLimiter? = nil) {
        self.client = client
        self.concurrency = max(1, concurrency)
        self.limiter = limiter
    }

    /// The ids of the models the target has.
    public func existingModels() async throws -> [String: ModelData] {
        var out: [String: ModelData] = [:]
        for try await model in client.listModels(includeModelDefinition: false) { out[model.id] = model }
        return out
    }

    /// Uploads the models the target lacks, in dependency order, in batches of at most 250 (ADT's
    /// limit per call). Returns how many were uploaded.
    public func uploadMissingModels(_ models: [JSONValue]) async throws -> Int {
        let existing = try await existingModels()
        let missing = models.filter { model in model["@id"]?.stringValue.map { existing[$0] == nil } ?? false }
        var uploaded = 0
        for batch in GraphItems.uploadBatches(missing) {
            await limiter?.acquire()
            do {
                uploaded += try await patient { try await client.createModels(batch) }.count
            } catch let error as ADTError where error.status == 409 {
                // Another writer (or an earlier run whose answer was lost) uploaded some: retry
                // with the ones still missing.
                let now = try await existingModels()
                let rest = batch.filter { model in model["@id"]?.stringValue.map { now[$0] == nil } ?? false }
                if !rest.isEmpty { uploaded += try await patient { try await client.createModels(rest) }.count }
            }
        }
        return uploaded
    }

    /// Decommissions on the target the models that are decommissioned on the source.
    public func decommission(_ ids: [String]) async throws {
        for id in ids {
            await limiter?.acquire()
            try await patient { try await client.decommissionModel(id: id) }
        }
    }

    /// Writes twins (portable form, with `$dtId`) concurrently; returns each one's outcome, in
    /// the order given.
    public func writeTwins(_ twins: [JSONObject]) async -> [Outcome] {
        await forEachConcurrently(twins) { twin in await self.writeTwin(twin) }
    }

    /// Writes relationships (portable form, with `$dtId` of the source) concurrently.
    public func writeRelationships(_ relationships: [JSONObject]) async -> [Outcome] {
        await forEachConcurrently(relationships) { relationship in await self.writeRelationship(relationship) }
    }

    func writeTwin(_ twin: JSONObject) async -> Outcome {
        guard let id = twin["$dtId"]?.stringValue else { return .failed("the twin has no $dtId") }
        var body = twin
        body["$dtId"] = nil
        do {
            await limiter?.acquire()
            _ = try await patient { try await client.createOrReplaceTwin(id: id, body, ifNoneMatch: "*") }
            return .written
        } catch let error as ADTError where error.status == 412 {
            do {
                let existing = try await patient { try await client.getTwin(id: id) }
                if GraphItems.twinFingerprint(existing.json) == GraphItems.twinFingerprint(twin) { return .unchanged }
                await limiter?.acquire()
                _ = try await patient { try await client.createOrReplaceTwin(id: id, body) }
                return .replaced
            } catch {
                return .failed("twin \(id): \(error)")
            }
        } catch {
            return .failed("twin \(id): \(error)")
        }
    }

    func writeRelationship(_ relationship: JSONObject) async -> Outcome {
        guard let source = relationship["$dtId"]?.stringValue, let id = relationship["$relationshipId"]?.stringValue
        else { return .failed("the relationship has no $dtId or $relationshipId") }
        let body = GraphItems.relationshipBody(relationship)
        do {
            await limiter?.acquire()
            try await patient {
                try await client.createOrReplaceRelationship(
                    sourceID: source, relationshipID: id, body, ifNoneMatch: "*")
            }
            return .written
        } catch let error as ADTError where error.status == 412 {
            do {
                let existing = try await patient {
                    try await client.getRelationship(sourceID: source, relationshipID: id)
                }
                if GraphItems.relationshipFingerprint(existing.json) == GraphItems.relationshipFingerprint(relationship)
                {
                    return .unchanged
                }
                await limiter?.acquire()
                try await patient {
                    try await client.createOrReplaceRelationship(sourceID: source, relationshipID: id, body)
                }
                return .replaced
            } catch {
                return .failed("relationship \(source)/\(id): \(error)")
            }
        } catch {
            return .failed("relationship \(source)/\(id): \(error)")
        }
    }

    /// Runs a call, and while the target still answers 429 after the client's own retries, waits
    /// (0.5 s doubling to 30 s, with jitter) and calls again, up to 10 minutes: a throttled
    /// migration slows down rather than dropping items.
    func patient<T: Sendable>(_ call: () async throws -> T) async throws -> T {
        var delay = 0.5
        let deadline = ContinuousClock.now + .seconds(600)
        while true {
            do {
                return try await call()
            } catch let error as ADTError where error.status == 429 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(Int64(delay * Double.random(in: 0.5...1.0) * 1000)))
                delay = min(delay * 2, 30)
            }
        }
    }

    /// Runs `body` on every item with at most ``concurrency`` at once; results in input order.
    func forEachConcurrently<Item: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) async -> Outcome
    ) async -> [Outcome] {
        var results = [Outcome?](repeating: nil, count: items.count)
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            while next < min(concurrency, items.count) {
                let index = next
                group.addTask { (index, await body(items[index])) }
                next += 1
            }
            while let (index, outcome) = await group.next() {
                results[index] = outcome
                if next < items.count {
                    let index = next
                    group.addTask { (index, await body(items[index])) }
                    next += 1
                }
            }
        }
        return results.map { $0 ?? .failed("not attempted") }
    }
}

/// Spaces operations out to at most a given number per second (a token bucket holding one
/// second's worth, so a burst after a pause stays within ADT's per-second limits).
public actor RateLimiter {
    let rate: Double
    var tokens: Double
    var last = ContinuousClock.now

    /// At most `perSecond` operations per second.
    public init(perSecond: Double) {
        rate = max(perSecond, 0.001)
        tokens = max(perSecond, 1)
    }

    /// Waits for the next operation's turn.
    public func acquire() async {
        while true {
            let now = ContinuousClock.now
            let elapsed = now - last
            last = now
            tokens = min(max(rate, 1), tokens + elapsed.seconds * rate)
            if tokens >= 1 {
                tokens -= 1
                return
            }
            let wait = (1 - tokens) / rate
            try? await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 1))
        }
    }
}
