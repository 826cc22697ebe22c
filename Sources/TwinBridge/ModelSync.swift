import ADTWire
import DigitalTwinsClient
import Foundation
import TwinMigration

/// Makes sure the target has the models a change needs: a model seen for the first time is
/// looked up on the target; a missing one brings every model the target lacks from the source,
/// in dependency order (models have no notifications of their own).
final class ModelSync: @unchecked Sendable {
    let target: DigitalTwinsClient
    let source: (any BridgeSource)?
    private let lock = NSLock()
    private var present: Set<String> = []

    init(target: DigitalTwinsClient, source: (any BridgeSource)?) {
        self.target = target
        self.source = source
    }

    /// Ensures `id` exists on the target.
    func ensure(_ id: String) async throws {
        if lock.withLock({ present.contains(id) }) { return }
        do {
            _ = try await target.getModel(id: id)
        } catch let error as ADTError where error.isNotFound {
            guard let source else {
                throw BridgeFailure("the target has no model \(id), and the bridge has no source to copy it from")
            }
            let models = try await source.allModels()
            guard models.contains(where: { $0["@id"]?.stringValue == id }) else {
                throw BridgeFailure("the model \(id) is on neither side")
            }
            _ = try await GraphWriter(client: target, concurrency: 1).uploadMissingModels(models)
        }
        _ = lock.withLock { present.insert(id) }
    }
}

/// Why a change could not be applied (it is tried again).
public struct BridgeFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    init(_ description: String) { self.description = description }
}
