import ADTWire
import DTDL

/// The only way the device-lifecycle functions reach Azure Digital Twins (or the gateway).
///
/// The project's libcurl `DigitalTwinsClient` conforms through an adapter; tests plug in an
/// in-memory fake. Every method is one data-plane call (or, for the lists, one call per page).
///
/// Error contract: a service answer other than 2xx is thrown as ``ServiceFailure`` (status,
/// ADT error code, message), except where a method documents `nil` instead. Anything else an
/// implementation throws (connection refused, timeout, token failure) is treated by the
/// functions as a transient infrastructure failure, i.e. answered with 503 so that the caller
/// (DPS, Event Hubs, Event Grid) retries.
public protocol DigitalTwinsService: Sendable {
    /// `GET /digitaltwins/{id}`: the twin as served (`$dtId`, `$etag`, `$metadata`, properties)
    /// and its ETag (the `ETag` header, or `$etag` when the header is absent).
    ///
    /// - Returns: `nil` when the twin does not exist (404 `DigitalTwinNotFound`).
    func getTwin(id: String) async throws -> (twin: JSONObject, etag: String)?

    /// `PUT /digitaltwins/{id}` of a new twin; returns the new ETag.
    ///
    /// - Parameter ifNoneMatch: `true` sends `If-None-Match: *`, so the call only creates: an
    ///   existing twin gives ``ServiceFailure`` 412 `PreconditionFailed`. `false` upserts.
    func createTwin(id: String, _ twin: JSONObject, ifNoneMatch: Bool) async throws -> String

    /// Replaces a whole twin (`PUT /digitaltwins/{id}`); returns the new ETag.
    ///
    /// - Parameter ifMatch: when not `nil`, replace only if the twin's ETag is still this value;
    ///   otherwise throw 412 `PreconditionFailed` (and 404 when the twin is gone). ADT's PUT
    ///   accepts no `If-Match`, so an adapter over the REST API enforces it with a conditional
    ///   JSON Patch: see ``TwinReplacement/patch(from:to:)``.
    func replaceTwin(id: String, _ twin: JSONObject, ifMatch: String?) async throws -> String

    /// `PATCH /digitaltwins/{id}` with a JSON Patch document (an RFC 6902 array of
    /// `add`/`replace`/`remove` operations); returns the new ETag when the service sends one.
    ///
    /// - Parameter ifMatch: apply only if the twin still has this ETag (412 otherwise).
    @discardableResult
    func updateTwin(id: String, patch: JSONValue, ifMatch: String?) async throws -> String?

    /// `DELETE /digitaltwins/{id}`. 404 when the twin is gone, 412 when `ifMatch` no longer
    /// matches, 400 `RelationshipsNotDeleted` while it still has relationships.
    func deleteTwin(id: String, ifMatch: String?) async throws

    /// `GET /digitaltwins/{id}/relationships`, every page (following `nextLink`): the twin's
    /// outgoing relationships. 404 when the twin does not exist.
    func relationships(of id: String) async throws -> [RelationshipReference]

    /// `GET /digitaltwins/{id}/incomingrelationships`, every page: the relationships whose
    /// target is the twin, each named by its source twin and id. 404 when the twin does not exist.
    func incomingRelationships(of id: String) async throws -> [RelationshipReference]

    /// `DELETE /digitaltwins/{source}/relationships/{relationshipID}` (no `If-Match`). 404
    /// `RelationshipNotFound` (or `DigitalTwinNotFound`) when it is already gone.
    func deleteRelationship(source: String, relationshipID: String) async throws

    /// `POST /digitaltwins/{id}/telemetry` with `Message-Id: messageID` (the service's
    /// de-duplication key) and, when given, `Telemetry-Source-Time: sourceTime` (RFC 3339).
    func publishTelemetry(id: String, payload: JSONObject, messageID: String, sourceTime: String?) async throws

    /// `GET /models/{id}?includeModelDefinition=true`: the DTDL interface itself (the `model`
    /// member of the model data), unresolved: bases named in `extends` are fetched by the
    /// caller with further calls (see ``ModelContents``).
    ///
    /// - Returns: `nil` when the model does not exist (404 `ModelNotFound`).
    func model(id: String) async throws -> JSONObject?
}

/// One relationship, named by the twin it starts from and its id (unique within that source).
public struct RelationshipReference: Sendable, Hashable, CustomStringConvertible {
    /// The source twin (`$sourceId`).
    public var source: String
    /// The relationship id (`$relationshipId`).
    public var relationshipID: String

    /// A reference to relationship `relationshipID` of twin `source`.
    public init(source: String, relationshipID: String) {
        self.source = source
        self.relationshipID = relationshipID
    }

    /// `source/relationshipID`, for logs.
    public var description: String { "\(source)/\(relationshipID)" }
}
