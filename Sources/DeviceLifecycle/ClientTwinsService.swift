import ADTWire
import DTDL
import DigitalTwinsClient

/// The functions' way to ADT: the project's libcurl client, against the gateway or a real Azure
/// Digital Twins instance. Maps the client's errors to `ServiceFailure`.
public struct ClientTwinsService: DigitalTwinsService {
    let client: DigitalTwinsClient

    /// A service calling ADT (or the gateway) through `client`.
    public init(client: DigitalTwinsClient) { self.client = client }

    /// `GET /digitaltwins/{id}`: the twin and its ETag, or `nil` when it does not exist.
    public func getTwin(id: String) async throws -> (twin: JSONObject, etag: String)? {
        do {
            let twin = try await client.getTwin(id: id)
            return (twin.json, twin.etag ?? "")
        } catch let error as ADTError where error.isNotFound {
            return nil
        } catch {
            throw Self.failure(error)
        }
    }

    /// `PUT /digitaltwins/{id}`, with `If-None-Match: *` when `ifNoneMatch`; returns the new ETag.
    public func createTwin(id: String, _ twin: JSONObject, ifNoneMatch: Bool) async throws -> String {
        try await mapped {
            try await client.createOrReplaceTwin(id: id, twin, ifNoneMatch: ifNoneMatch ? "*" : nil).etag ?? ""
        }
    }

    /// ADT's PUT takes no If-Match: a conditional replacement is a patch from the current twin
    /// to the new one under If-Match.
    public func replaceTwin(id: String, _ twin: JSONObject, ifMatch: String?) async throws -> String {
        guard let ifMatch else {
            return try await mapped { try await client.createOrReplaceTwin(id: id, twin).etag ?? "" }
        }
        guard let current = try await getTwin(id: id) else {
            throw ServiceFailure(status: 404, code: .digitalTwinNotFound, message: "twin \(id) not found")
        }
        guard current.etag == ifMatch else {
            throw ServiceFailure(status: 412, code: .preconditionFailed, message: "the twin \(id) changed")
        }
        let patch = TwinReplacement.patch(from: current.twin, to: twin)
        return try await updateTwin(id: id, patch: patch, ifMatch: ifMatch) ?? ""
    }

    /// `PATCH /digitaltwins/{id}` with a JSON Patch, under `ifMatch`; returns the new ETag if sent.
    @discardableResult
    public func updateTwin(id: String, patch: JSONValue, ifMatch: String?) async throws -> String? {
        try await mapped { try await client.updateTwin(id: id, patch: patch, ifMatch: ifMatch) }
    }

    /// `DELETE /digitaltwins/{id}`, under `ifMatch` when given.
    public func deleteTwin(id: String, ifMatch: String?) async throws {
        try await mapped { try await client.deleteTwin(id: id, ifMatch: ifMatch) }
    }

    /// The twin's outgoing relationships, every page.
    public func relationships(of id: String) async throws -> [RelationshipReference] {
        try await mapped {
            try await client.listRelationships(twinID: id).collect().map {
                RelationshipReference(source: $0.sourceID, relationshipID: $0.id)
            }
        }
    }

    /// The relationships whose target is the twin, every page.
    public func incomingRelationships(of id: String) async throws -> [RelationshipReference] {
        try await mapped {
            try await client.listIncomingRelationships(twinID: id).collect().map {
                RelationshipReference(source: $0.sourceID, relationshipID: $0.id)
            }
        }
    }

    /// `DELETE /digitaltwins/{source}/relationships/{relationshipID}`.
    public func deleteRelationship(source: String, relationshipID: String) async throws {
        try await mapped { try await client.deleteRelationship(sourceID: source, relationshipID: relationshipID) }
    }

    /// `POST /digitaltwins/{id}/telemetry` with `Message-Id` and, when given, the source time.
    public func publishTelemetry(id: String, payload: JSONObject, messageID: String, sourceTime: String?) async throws {
        _ = try await mapped {
            try await client.publishTelemetry(
                twinID: id, payload: .object(payload), messageID: messageID, sourceTime: sourceTime)
        }
    }

    /// The model's DTDL interface (`includeModelDefinition=true`), or `nil` when it does not exist.
    public func model(id: String) async throws -> JSONObject? {
        do {
            return try await client.getModel(id: id, includeModelDefinition: true).model?.objectValue
        } catch let error as ADTError where error.isNotFound {
            return nil
        } catch {
            throw Self.failure(error)
        }
    }

    private func mapped<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch {
            throw Self.failure(error)
        }
    }

    /// A service answer keeps its status and code; a transport failure stays an error that is
    /// not a `ServiceFailure` (the functions answer it with 503, so that the caller retries).
    static func failure(_ error: any Error) -> any Error {
        guard let adt = error as? ADTError, let status = adt.status else { return error }
        // Both sides speak ADTWire's catalogue: the code passes as it is.
        return ServiceFailure(status: status, code: adt.code ?? .generic(forStatus: status), message: adt.message)
    }
}
