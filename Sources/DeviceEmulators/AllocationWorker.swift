import ADTWire
import DTDL
import DeviceLifecycle
import Foundation
import HTTPTransport
import Logging
import PostgresNIO
import PostgresSupport
import ServiceLifecycle

/// Finishes DPS registrations in the background: for each `assigning` operation it asks the
/// enrollment group's allocation policy for a hub (the custom-allocation webhook, for
/// `custom`), creates the device in that hub's registry and marks the operation `assigned`,
/// or `failed` with a reason.
///
/// Operations are leased in the database (`FOR UPDATE SKIP LOCKED`), so several workers may
/// run on one database, and one interrupted by a crash is taken over once its lease ends.
/// The webhook is called once per registration, plus `webhookRetries` more times after a
/// non-2xx answer or a timeout; when those fail too, or the body is invalid, the operation
/// fails (`errorCode` 400207), as it does for a hub outside `linkedHubs` (400208).
public struct AllocationWorker: Service {
    let configuration: DPSConfiguration
    let linkedHubs: [String]
    let client: PostgresClient
    let transport: any Transport
    let wakeup: Wakeup
    let logger: Logger

    init(
        configuration: DPSConfiguration, linkedHubs: [String], client: PostgresClient, transport: any Transport,
        wakeup: Wakeup, logger: Logger
    ) {
        self.configuration = configuration
        self.linkedHubs = linkedHubs
        self.client = client
        self.transport = transport
        self.wakeup = wakeup
        self.logger = logger
    }

    var operations: RegistrationStore { RegistrationStore(client: client, logger: logger) }
    var enrollments: EnrollmentStore { EnrollmentStore(client: client, logger: logger) }

    /// How long an operation is leased: every webhook attempt and pause, plus 30 s.
    var lease: Duration {
        let attempts = configuration.webhookRetries + 1
        return configuration.webhookTimeout * attempts + .seconds((1 << attempts) - 1) + .seconds(30)
    }

    /// Runs until cancelled or the graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let due = try await operations.claimPending(limit: 8, lease: lease)
                    if due.isEmpty {
                        await wakeup.wait(timeout: configuration.pollInterval)
                        continue
                    }
                    await withTaskGroup(of: Void.self) { group in
                        for operation in due { group.addTask { await allocate(operation) } }
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning(
                        "allocation worker: database unavailable", metadata: ["error": "\(databaseErrorMessage(error))"]
                    )
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Decides, provisions and records one operation; never throws (a failure is recorded).
    func allocate(_ operation: RegistrationOperation) async {
        let metadata: Logger.Metadata = [
            "registrationId": "\(operation.registrationID)", "operationId": "\(operation.operationID)",
        ]
        do {
            switch try await decide(operation) {
            case .failure(let code, let message):
                try await operations.markFailed(operation.operationID, code: code, message: message)
                logger.info("registration failed", metadata: metadata.merging(["reason": "\(message)"]) { $1 })
            case .assign(let hub, let initialTwin, let payload, let group):
                let substatus = try await provision(
                    operation, hub: hub, group: group, initialTwin: initialTwin, payload: payload)
                logger.info(
                    "registration assigned",
                    metadata: metadata.merging(["hub": "\(hub)", "substatus": "\(substatus)"]) { $1 })
            }
        } catch {
            if error is CancellationError || Task.isCancelled {
                await release(operation)  // shutting down: the next run takes it up at once
                return
            }
            logger.error(
                "registration could not be completed",
                metadata: metadata.merging(["error": "\(databaseErrorMessage(error))"]) { $1 })
            try? await operations.markFailed(
                operation.operationID, code: AllocationFailure.internalError,
                message: "The device could not be created in the hub's registry.")
        }
    }

    /// Ends the lease of an interrupted operation, from a task that is not cancelled.
    func release(_ operation: RegistrationOperation) async {
        let client = self.client
        let logger = self.logger
        await Task {
            _ = try? await client.query(
                """
                UPDATE dps_operations SET next_attempt_at = now()
                WHERE operation_id = \(operation.operationID) AND status = 'assigning'
                """, logger: logger)
        }.value
    }

    enum Decision {
        case assign(hub: String, initialTwin: JSONObject?, payload: JSONValue?, group: EnrollmentGroup)
        case failure(code: Int, message: String)
    }

    func decide(_ operation: RegistrationOperation) async throws -> Decision {
        guard let group = try await enrollments.get(operation.enrollmentGroupID) else {
            return .failure(
                code: AllocationFailure.noHub,
                message: "The enrollment group \(operation.enrollmentGroupID) no longer exists.")
        }
        let hubs = group.iotHubs.isEmpty ? linkedHubs : group.iotHubs
        guard !hubs.isEmpty else {
            return .failure(
                code: AllocationFailure.noHub, message: "No IoT hub is linked to enrollment group \(group.id).")
        }
        switch group.allocationPolicy {
        case .static:
            return .assign(hub: hubs[0], initialTwin: group.initialTwin, payload: nil, group: group)
        case .hashed:
            let hub = HubPolicy.hash.selectHub(for: operation.registrationID, among: hubs) ?? hubs[0]
            return .assign(hub: hub, initialTwin: group.initialTwin, payload: nil, group: group)
        case .custom:
            let previous = try await client.withConnection {
                try await RegistrationStore.previousAssignment(of: operation, on: $0, logger: logger)
            }
            let webhook = AllocationWebhook(
                transport: transport, timeout: configuration.webhookTimeout, retries: configuration.webhookRetries,
                logger: logger)
            return try await webhook.call(group: group, operation: operation, linkedHubs: hubs, previous: previous)
        }
    }

    /// Writes the device (moving it from its previous hub, if any) and marks the operation
    /// assigned, in one transaction. Returns the substatus.
    func provision(
        _ operation: RegistrationOperation, hub: String, group: EnrollmentGroup, initialTwin: JSONObject?,
        payload: JSONValue?
    ) async throws -> String {
        guard let primary = group.primaryKey, let secondary = group.secondaryKey else {
            throw EmulatorStoreError("the enrollment group has no keys")
        }
        let deviceID = operation.registrationID
        let primaryKey = try SharedAccessSignature.deriveDeviceKey(groupKey: primary, registrationID: deviceID)
        let secondaryKey = try SharedAccessSignature.deriveDeviceKey(groupKey: secondary, registrationID: deviceID)
        let hubKey = hub.lowercased()
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            var substatus = "initialAssignment"
            if let previous = try await RegistrationStore.previousAssignment(
                of: operation, on: connection, logger: logger)
            {
                if previous.hub.lowercased() == hubKey {
                    substatus = "reprovisionedToInitialAssignment"
                } else {
                    substatus = "deviceDataReset"
                    if let old = try await HubRegistry.fetch(
                        hub: previous.hub.lowercased(), deviceID: previous.deviceID, forUpdate: true, on: connection,
                        logger: logger)
                    {
                        try await HubRegistry.remove(old, on: connection, logger: logger)
                    }
                }
            }
            try await HubRegistry.provision(
                hub: hubKey, deviceID: deviceID, primaryKey: primaryKey, secondaryKey: secondaryKey,
                initialTwin: initialTwin, on: connection, logger: logger)
            _ = try await RegistrationStore.markAssigned(
                operation.operationID, hub: hub, deviceID: deviceID, substatus: substatus, payload: payload,
                on: connection, logger: logger)
            return substatus
        }
    }
}
