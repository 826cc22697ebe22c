import ADTWire
import Foundation

/// What the bridge last wrote to each twin of its target, property by property, as
/// fingerprints: a property that still holds the bridge's value was not changed on the target
/// since, so a newer change from the source applies without a conflict; one that holds another
/// value was written on the target itself, and the event times decide.
///
/// The keys are property paths (`temperature`, `component/property`); the values
/// ``TwinMerge/Remembered`` records: ``fingerprint(_:)`` of the value (`-` for a property the
/// bridge removed) and the time of the change that wrote it.
public protocol BridgeMemory: Sendable {
    /// The fingerprints the bridge left on a twin.
    func fingerprints(twin: String) async throws -> [String: String]
    /// Records what the bridge just wrote to a twin (merged with what it wrote before).
    func remember(twin: String, _ fingerprints: [String: String]) async throws
    /// Forgets a twin (deleted).
    func forget(twin: String) async throws
}

/// The fingerprint of a JSON value: FNV-1a (64 bits) of its text with object members in key
/// order, so equal values give equal fingerprints in every process.
public func fingerprint(_ value: JSONValue?) -> String {
    guard let value else { return "-" }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in JSONWriter.bytes(canonical(value)) {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return BridgeMarker.hex(hash)
}

/// `value` with every object's members in key order.
func canonical(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let object):
        return .object(
            JSONObject(object.members.sorted { $0.key < $1.key }.map { (key: $0.key, value: canonical($0.value)) }))
    case .array(let items):
        return .array(items.map(canonical))
    default:
        return value
    }
}

/// A memory in this process only, for the most recently written twins: after a restart, a
/// property's last writer is judged by the event times alone.
public final class InMemoryBridgeMemory: BridgeMemory, @unchecked Sendable {
    private let lock = NSLock()
    private var twins: [String: [String: String]] = [:]
    private var order: [String] = []
    private let capacity: Int

    /// A memory of at most `capacity` twins (the oldest written are forgotten first).
    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// What the bridge wrote to `twin`, by property path.
    public func fingerprints(twin: String) async throws -> [String: String] {
        lock.withLock { twins[twin] ?? [:] }
    }

    /// Records what the bridge just wrote to `twin`.
    public func remember(twin: String, _ fingerprints: [String: String]) async throws {
        lock.withLock {
            if twins[twin] == nil {
                order.append(twin)
                if order.count > capacity {
                    let drop = order.count - capacity
                    for old in order.prefix(drop) { twins[old] = nil }
                    order.removeFirst(drop)
                }
            }
            twins[twin, default: [:]].merge(fingerprints) { $1 }
        }
    }

    /// Forgets `twin`.
    public func forget(twin: String) async throws {
        lock.withLock { if twins[twin] != nil { twins[twin] = [:] } }
    }
}
