import ADTWire
import DigitalTwinsClient

/// The side the notifications come from, as the bridge asks it: for the models a target lacks
/// (models have no notifications of their own), and for whether a twin or relationship that a
/// notification needs but the target lacks still exists there: then it is on its way (its own
/// notification travels in another partition, or out of order), else it was deleted since.
///
/// The gateway reads its own database; the function reads the source instance through the client.
public protocol BridgeSource: Sendable {
    /// Every model of the source, as DTDL interfaces.
    func allModels() async throws -> [JSONValue]
    /// Whether the source has this twin.
    func twinExists(_ id: String) async throws -> Bool
    /// Whether the source has this relationship.
    func relationshipExists(source: String, id: String) async throws -> Bool
}

/// The source instance through the client.
public struct ClientBridgeSource: BridgeSource {
    let client: DigitalTwinsClient

    /// `client`'s instance.
    public init(client: DigitalTwinsClient) { self.client = client }

    /// Every model, with its definition.
    public func allModels() async throws -> [JSONValue] {
        var models: [JSONValue] = []
        for try await model in client.listModels(includeModelDefinition: true) {
            if let definition = model.model { models.append(definition) }
        }
        return models
    }

    /// Whether `GET /digitaltwins/{id}` finds it.
    public func twinExists(_ id: String) async throws -> Bool {
        do {
            _ = try await client.getTwin(id: id)
            return true
        } catch let error as ADTError where error.isNotFound {
            return false
        }
    }

    /// Whether `GET /digitaltwins/{source}/relationships/{id}` finds it.
    public func relationshipExists(source: String, id: String) async throws -> Bool {
        do {
            _ = try await client.getRelationship(sourceID: source, relationshipID: id)
            return true
        } catch let error as ADTError where error.isNotFound {
            return false
        }
    }
}
