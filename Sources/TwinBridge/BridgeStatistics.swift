import ADTWire
import Foundation

/// Counts of what one bridge direction did, kept in the process that applies (the functions
/// host counts since it started); ``json`` is what `twins bridge status` reads.
public final class BridgeStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [BridgeOutcome.Kind: Int] = [:]
    private var conflicts = 0
    private var lastConflict: String?
    private var lastError: String?
    private var lastErrorAt: String?
    private var lastAppliedAt: String?
    private var lastEventTime: String?
    private var lagSeconds: Double?
    private var oldestFailing: (id: String, time: String)?

    /// Empty counts.
    public init() {}

    /// Records one notification's outcome.
    public func record(_ outcome: BridgeOutcome, event: JSONObject) {
        let now = UTCTimestamp.now()
        let time = event["time"]?.stringValue
        lock.withLock {
            counts[outcome.kind, default: 0] += 1
            conflicts += outcome.conflicts
            if let detail = outcome.conflictDetail { lastConflict = detail }
            if let failure = outcome.failure {
                lastError = failure
                lastErrorAt = now
                if oldestFailing == nil, let time { oldestFailing = (event["id"]?.stringValue ?? "", time) }
            } else {
                if outcome.kind == .applied { lastAppliedAt = now }
                if let time {
                    lastEventTime = time
                    lagSeconds = EventTime.seconds(from: time, to: now)
                }
                if oldestFailing?.id == event["id"]?.stringValue { oldestFailing = nil }
            }
        }
    }

    /// The counts as JSON: `applied`, `unchanged`, `echoes`, `ignored`, `conflicts`, `failed`,
    /// `lastConflict`, `lastError`, `lastErrorAt`, `lastAppliedAt`, `lastEventTime`, `lagSeconds` (the last
    /// applied change's age when applied) and `oldestFailingEventTime`.
    public var json: JSONValue {
        lock.withLock {
            var out = JSONObject()
            out["applied"] = .integer(Int64(counts[.applied] ?? 0))
            out["unchanged"] = .integer(Int64(counts[.unchanged] ?? 0))
            out["echoes"] = .integer(Int64(counts[.echo] ?? 0))
            out["ignored"] = .integer(Int64(counts[.ignored] ?? 0))
            out["conflicts"] = .integer(Int64(conflicts))
            out["failed"] = .integer(Int64(counts[.failed] ?? 0))
            out["lastConflict"] = lastConflict.map(JSONValue.string) ?? .null
            out["lastError"] = lastError.map(JSONValue.string) ?? .null
            out["lastErrorAt"] = lastErrorAt.map(JSONValue.string) ?? .null
            out["lastAppliedAt"] = lastAppliedAt.map(JSONValue.string) ?? .null
            out["lastEventTime"] = lastEventTime.map(JSONValue.string) ?? .null
            out["lagSeconds"] = lagSeconds.map(JSONValue.double) ?? .null
            out["oldestFailingEventTime"] = oldestFailing.map { JSONValue.string($0.time) } ?? .null
            return .object(out)
        }
    }
}
