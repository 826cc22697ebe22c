import ADTWire
import DTDL
import Logging

extension AllocationFunction {
    /// Creates, keeps, migrates or replaces twin `id` so that it has model `modelID`, with
    /// optimistic concurrency (see the type's documentation).
    func ensureTwin(id: String, modelID: String) async throws -> TwinOutcome {
        let attempts = configuration.maxAttempts
        for attempt in 1...attempts {
            guard let (twin, etag) = try await service.getTwin(id: id) else {
                let contents = try await models.contents(of: modelID, using: service)
                do {
                    _ = try await service.createTwin(
                        id: id, Self.seedTwin(modelID: modelID, contents: contents), ifNoneMatch: true)
                    return .created
                } catch let failure as ServiceFailure where failure.isPreconditionFailed {
                    logger.debug(
                        "twin created concurrently; re-reading", metadata: ["twin": "\(id)", "attempt": "\(attempt)"])
                    continue
                }
            }

            let currentModel = twin["$metadata"]?["$model"]?.stringValue
            if currentModel == modelID { return .kept }

            let contents = try await models.contents(of: modelID, using: service)
            let plan = Self.migrationPlan(twin: twin, to: contents)
            if plan.undeclared.isEmpty {
                do {
                    try await service.updateTwin(id: id, patch: plan.patch, ifMatch: etag)
                    logger.notice(
                        "twin migrated to the device's model",
                        metadata: ["twin": "\(id)", "from": "\(currentModel ?? "(none)")", "to": "\(modelID)"])
                    return .migrated(from: currentModel)
                } catch let failure as ServiceFailure where failure.isPreconditionFailed || failure.isNotFound {
                    continue
                } catch let failure as ServiceFailure where failure.status == 400 {
                    // The names fit but a value does not (another schema): the service's verdict.
                    logger.notice(
                        "service rejected the in-place migration",
                        metadata: ["twin": "\(id)", "to": "\(modelID)", "error": "\(failure)"])
                }
            } else {
                logger.notice(
                    "twin's members are not properties of the device's model",
                    metadata: [
                        "twin": "\(id)", "to": "\(modelID)", "undeclared": "\(plan.undeclared.joined(separator: ","))",
                    ])
            }

            guard configuration.incompatibleTwin == .replace else {
                throw IncompatibleTwinError(
                    twinID: id, currentModel: currentModel, requestedModel: modelID,
                    undeclared: plan.undeclared.isEmpty ? ["(values rejected by the service)"] : plan.undeclared)
            }
            do {
                _ = try await service.replaceTwin(
                    id: id, Self.seedTwin(modelID: modelID, contents: contents), ifMatch: etag)
                logger.warning(
                    "twin replaced: its previous property values are lost",
                    metadata: ["twin": "\(id)", "from": "\(currentModel ?? "(none)")", "to": "\(modelID)"])
                return .replaced(from: currentModel)
            } catch let failure as ServiceFailure where failure.isPreconditionFailed || failure.isNotFound {
                continue
            }
        }
        throw ContentionError(twinID: id, attempts: attempts)
    }

    /// A new twin of `modelID`: the model, plus an empty object for every component the model
    /// declares (ADT requires every component to exist when a twin is created).
    static func seedTwin(modelID: String, contents: ModelContents) -> JSONObject {
        var twin = JSONObject([("$metadata", ["$model": .string(modelID)])])
        for component in contents.names(.component).sorted() {
            twin[component] = ["$metadata": .object(JSONObject())]
        }
        return twin
    }

    /// The in-place migration of `twin` to `contents`: the members the new model does not
    /// accept (empty when it accepts all), and the patch that migrates (replace
    /// `/$metadata/$model`, add missing components).
    static func migrationPlan(twin: JSONObject, to contents: ModelContents) -> (undeclared: [String], patch: JSONValue)
    {
        var undeclared: [String] = []
        for (name, value) in twin where !name.hasPrefix("$") {
            switch contents.kind(of: name) {
            case .property?: continue
            case .component? where value.objectValue != nil: continue
            default: undeclared.append(name)
            }
        }
        var operations: [JSONValue] = [
            ["op": "replace", "path": "/$metadata/$model", "value": .string(contents.id)]
        ]
        for component in contents.names(.component).sorted() where twin[component] == nil {
            operations.append([
                "op": "add", "path": .string(JSONPointer(tokens: [component]).description),
                "value": ["$metadata": .object(JSONObject())],
            ])
        }
        return (undeclared, .array(operations))
    }
}
