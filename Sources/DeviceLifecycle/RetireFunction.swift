import DTDL
import Logging

/// *retire*: a device was deleted from IoT Hub, so its twin goes too, with every relationship
/// into or out of it (ADT refuses to delete a twin that still has relationships).
///
/// Inputs (see ``InboundDelivery/classify(body:headers:)``):
/// - IoT Hub device lifecycle messages read from Event Hubs (``EventHubsMessage``): acted on
///   when the application property `opType` is `deleteDeviceIdentity` (and
///   `deleteModuleIdentity` only when configured); any other message is ignored (202).
/// - Event Grid `Microsoft.Devices.DeviceDeleted` events, including the subscription-validation
///   handshake; other event types are ignored (202).
/// - CloudEvents (structured JSON, batches, or binary mode with `ce-type`/`ce-subject`
///   headers) of type `Microsoft.Devices.DeviceDeleted`.
///
/// The twin id is the device twin's tag `dtId` when the event carries the device twin (the
/// allocation function writes that tag), else the device id (`deviceId` property or
/// `data.deviceId`, then `iothub-connection-device-id` / `subject` `devices/{id}`).
///
/// Deletion: read every outgoing and incoming relationship (all pages) and the twin's ETag,
/// delete the relationships, then the twin with `If-Match`; on 412 (the twin changed) or 400
/// `RelationshipsNotDeleted` (a relationship appeared) start again, at most `maxAttempts` times.
/// A twin already gone is success, so a redelivered event is harmless.
///
/// Answers: 200 `{"status":"retired"|"alreadyDeleted","twinId":…,"relationshipsDeleted":n}`,
/// 202 `{"status":"ignored","reason":…}`, 400 for input without a device id, 503 when the
/// service fails (redeliver).
public struct RetireFunction: Sendable {
    /// The result of retiring one twin.
    public struct Outcome: Sendable, Hashable {
        /// Whether this call deleted the twin (`false`: it was already gone).
        public var twinDeleted: Bool
        /// How many relationships this call deleted.
        public var relationshipsDeleted: Int

        /// An outcome with the given values.
        public init(twinDeleted: Bool, relationshipsDeleted: Int) {
            self.twinDeleted = twinDeleted
            self.relationshipsDeleted = relationshipsDeleted
        }
    }

    /// The Digital Twins service the twins live in.
    public let service: any DigitalTwinsService
    /// Retry bound and module handling.
    public let configuration: RetireConfiguration
    /// Where decisions are logged.
    public let logger: Logger

    /// A retire function deleting twins through `service`.
    public init(
        service: any DigitalTwinsService, configuration: RetireConfiguration = RetireConfiguration(),
        logger: Logger = Logger(label: "DeviceLifecycle.retire")
    ) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
    }

    /// Handles one delivery: an Event Hubs envelope (or a batch of them), Event Grid events,
    /// or CloudEvents. `headers` matter for CloudEvents binary mode only.
    public func handle(body: [UInt8], headers: [String: String] = [:]) async -> FunctionResponse {
        await InboundDelivery.dispatch(
            body: body, headers: headers, function: "retire", logger: logger,
            read: { Self.retirementTarget(of: $0, configuration: configuration) },
            target: { if case .retire(let twinID) = $0 { twinID } else { nil } }
        ) { await handle($0) }
    }

    /// Handles one event.
    public func handle(_ event: InboundEvent) async -> FunctionResponse {
        await handle(Self.retirementTarget(of: event, configuration: configuration))
    }

    /// Acts on what an event asks for.
    func handle(_ work: Target) async -> FunctionResponse {
        let target: String
        switch work {
        case .ignore(let reason):
            logger.debug("event ignored", metadata: ["reason": "\(reason)"])
            return FunctionResponse(status: 202, body: ["status": "ignored", "reason": .string(reason)])
        case .malformed(let message):
            logger.warning("retire event refused", metadata: ["reason": "\(message)"])
            return .badRequest(message)
        case .retire(let twinID):
            target = twinID
        }
        do {
            let outcome = try await retire(twinID: target)
            return FunctionResponse(
                status: 200,
                body: [
                    "status": outcome.twinDeleted ? "retired" : "alreadyDeleted", "twinId": .string(target),
                    "relationshipsDeleted": .integer(Int64(outcome.relationshipsDeleted)),
                ])
        } catch {
            logger.error("retire failed", metadata: ["twin": "\(target)", "error": "\(error)"])
            return .failure(error, doing: "retiring twin \(target)")
        }
    }

    /// Deletes twin `twinID` and all its relationships (idempotent: a missing twin is success).
    ///
    /// Each round reads the outgoing and incoming relationships and the twin's ETag at once
    /// (three independent calls), deletes the relationships (up to
    /// ``relationshipDeletesInFlight`` at a time), then the twin with `If-Match`. Deleting a
    /// relationship does not change its twins' ETags, so the ETag read at the start still
    /// guards the twin: a 412 means the twin itself changed, and the next round reads again.
    ///
    /// - Throws: ``ContentionError`` after `maxAttempts` rounds, and service/transport errors.
    public func retire(twinID id: String) async throws -> Outcome {
        var deleted = 0
        for attempt in 1...configuration.maxAttempts {
            async let outgoing = service.relationships(of: id)
            async let incoming = service.incomingRelationships(of: id)
            async let twin = service.getTwin(id: id)
            let relationships: [RelationshipReference]
            do {
                relationships = try await outgoing + incoming
            } catch let failure as ServiceFailure where failure.isNotFound {
                // Listing a missing twin's relationships is a 404: it is gone.
                logger.info("twin not found; nothing to retire", metadata: ["twin": "\(id)"])
                return Outcome(twinDeleted: false, relationshipsDeleted: deleted)
            }
            guard let (_, etag) = try await twin else {
                logger.info("twin not found; nothing to retire", metadata: ["twin": "\(id)"])
                return Outcome(twinDeleted: false, relationshipsDeleted: deleted)
            }
            deleted += try await deleteRelationships(relationships)
            do {
                try await service.deleteTwin(id: id, ifMatch: etag)
                logger.info("twin retired", metadata: ["twin": "\(id)", "relationshipsDeleted": "\(deleted)"])
                return Outcome(twinDeleted: true, relationshipsDeleted: deleted)
            } catch let failure as ServiceFailure where failure.isNotFound {
                return Outcome(twinDeleted: false, relationshipsDeleted: deleted)
            } catch let failure as ServiceFailure
                where failure.isPreconditionFailed || failure.code == .relationshipsNotDeleted
            {
                logger.debug(
                    "twin changed while retiring; retrying",
                    metadata: ["twin": "\(id)", "attempt": "\(attempt)", "error": "\(failure)"])
            }
        }
        throw ContentionError(twinID: id, attempts: configuration.maxAttempts)
    }

    /// Relationship deletes one retirement keeps in flight: enough to hide the round trips of a
    /// twin with many relationships, few enough not to crowd out other callers of the service.
    public static let relationshipDeletesInFlight = 8

    /// Deletes the relationships; returns how many this call deleted (one already gone is
    /// skipped). The first failure cancels the rest and is thrown.
    func deleteRelationships(_ relationships: [RelationshipReference]) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var pending = relationships[...]
            var count = 0
            func startNext() {
                guard let relationship = pending.popFirst() else { return }
                group.addTask { try await deleteRelationship(relationship) }
            }
            for _ in 0..<Self.relationshipDeletesInFlight { startNext() }
            while let wasDeleted = try await group.next() {
                if wasDeleted { count += 1 }
                startNext()
            }
            return count
        }
    }

    private func deleteRelationship(_ relationship: RelationshipReference) async throws -> Bool {
        do {
            try await service.deleteRelationship(
                source: relationship.source, relationshipID: relationship.relationshipID)
            return true
        } catch let failure as ServiceFailure where failure.isNotFound {
            return false
        }
    }
}

extension RetireFunction {
    /// What to do with an event.
    enum Target: Equatable, Sendable {
        case retire(twinID: String)
        case ignore(String)
        case malformed(String)
    }

    /// The event type IoT Hub publishes to Event Grid when a device is deleted.
    public static let deviceDeletedType = "Microsoft.Devices.DeviceDeleted"

    static func retirementTarget(of event: InboundEvent, configuration: RetireConfiguration) -> Target {
        switch event {
        case .eventHubs(let message):
            guard let opType = message.properties.string("opType") else {
                return .ignore("no opType application property: not a device lifecycle event")
            }
            let deleteOps =
                configuration.retireOnModuleDeletion
                ? ["deleteDeviceIdentity", "deleteModuleIdentity"] : ["deleteDeviceIdentity"]
            guard deleteOps.contains(opType) else { return .ignore("opType \(opType)") }
            let body = message.bodyObject
            let deviceID =
                message.properties.string("deviceId") ?? message.systemProperties.string("iothub-connection-device-id")
                ?? body?.string("deviceId")
            guard let twinID = body?["tags"]?.objectValue?.string("dtId") ?? deviceID else {
                return .malformed(
                    "The \(opType) message names no device (deviceId property, iothub-connection-device-id).")
            }
            return .retire(twinID: twinID)
        case .grid(let event):
            guard event.type == deviceDeletedType else { return .ignore("event type \(event.type)") }
            let data = event.data?.objectValue
            let deviceID = data?.string("deviceId") ?? event.subjectDeviceID
            guard let twinID = data?["twin"]?["tags"]?.objectValue?.string("dtId") ?? deviceID else {
                return .malformed("The \(event.type) event names no device (data.deviceId, subject devices/{id}).")
            }
            return .retire(twinID: twinID)
        }
    }
}
