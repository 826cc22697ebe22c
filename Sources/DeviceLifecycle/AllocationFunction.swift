import DTDL
import Logging

/// *allocate*: the DPS custom-allocation webhook. It makes sure the registering device has a
/// twin of its model (twin id = registration id), picks the device's IoT hub, and answers DPS
/// with the hub and an initial device twin tagged with the model and the twin id.
///
/// Steps (the sample's `DpsAdtAllocationFunc`, made safe under concurrency):
/// 1. Read the request; the model is `deviceRuntimeContext.payload.modelId`, else the
///    configured default.
/// 2. Get the twin. Same model (exact DTMI match; DTMIs are case-sensitive): keep it untouched.
/// 3. Another model: *migrate* in place (one patch of `/$metadata/$model` with `If-Match`, adding
///    any component the new model requires) when every member the twin holds is declared by the
///    new model or its bases as a Property (or as a Component, for an object member); otherwise,
///    or when the service rejects the migration (400), *replace* it with a fresh twin (with
///    `If-Match`), or refuse with 409 when so configured. Which one happened is logged.
/// 4. No twin: create one with `If-None-Match: *`. A 412 means a concurrent registration
///    created it first: start again at step 2 (bounded by `maxAttempts`), so two registrations
///    never overwrite each other.
/// 5. Choose the hub by ``HubPolicy`` and answer 200 with ``AllocationResponse``.
///
/// Answers: 400 for a malformed request or a model the instance does not have, 409 for a
/// refused incompatible twin, 503 (DPS retries) when the service fails, is throttled or
/// unreachable, 502 when it refuses our credentials.
public struct AllocationFunction: Sendable {
    /// What happened to the device's twin.
    public enum TwinOutcome: Sendable, Hashable {
        /// There was none; it was created.
        case created
        /// It existed with the device's model and was left untouched.
        case kept
        /// It had another model and was migrated in place, keeping its properties.
        case migrated(from: String?)
        /// It had another, incompatible model and was replaced by a fresh twin.
        case replaced(from: String?)
    }

    /// The Digital Twins service the twins live in.
    public let service: any DigitalTwinsService
    /// Default model, hub policy, fallback hubs, retry bound.
    public let configuration: AllocationConfiguration
    /// Where decisions are logged (never keys or request bodies).
    public let logger: Logger
    let models: ModelCache

    /// An allocation function writing twins through `service`.
    ///
    /// - Parameter models: a cache of resolved models; share one between functions.
    public init(
        service: any DigitalTwinsService, configuration: AllocationConfiguration = AllocationConfiguration(),
        logger: Logger = Logger(label: "DeviceLifecycle.allocate"), models: ModelCache = ModelCache()
    ) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        self.models = models
    }

    /// Handles one webhook call: the request body in, the status and JSON body out.
    public func handle(body: [UInt8]) async -> FunctionResponse {
        let request: AllocationRequest
        do {
            request = try AllocationRequest.parse(body)
        } catch {
            logger.warning("allocation request refused", metadata: ["reason": "\(error.message)"])
            return .badRequest(error.message)
        }
        do {
            let (response, _) = try await allocate(request)
            return FunctionResponse(status: 200, body: response.json)
        } catch let error as MalformedInput {
            logger.warning(
                "allocation request refused",
                metadata: ["registrationId": "\(request.registrationID)", "reason": "\(error.message)"])
            return .badRequest(error.message)
        } catch let error as ServiceFailure where error.code == .modelNotFound {
            logger.warning(
                "allocation refused: model missing",
                metadata: ["registrationId": "\(request.registrationID)", "reason": "\(error.message)"])
            return .error(
                status: 400, code: ServiceFailure.Code.modelNotFound.rawValue,
                message: "The device's \(error.message); upload the model first.")
        } catch let error as IncompatibleTwinError {
            logger.warning(
                "allocation refused: incompatible twin", metadata: ["registrationId": "\(request.registrationID)"])
            return .error(status: 409, code: "IncompatibleTwin", message: error.description)
        } catch {
            logger.error(
                "allocation failed", metadata: ["registrationId": "\(request.registrationID)", "error": "\(error)"])
            return .failure(error, doing: "allocating a twin for \(request.registrationID)")
        }
    }

    /// Ensures the twin and chooses the hub for a parsed request.
    ///
    /// - Throws: ``MalformedInput`` (no model id, no hub), ``ServiceFailure``
    ///   (404 `ModelNotFound` for an unknown model; any service error), ``IncompatibleTwinError``,
    ///   ``ContentionError``, and transport errors.
    public func allocate(_ request: AllocationRequest) async throws -> (AllocationResponse, TwinOutcome) {
        guard let modelID = request.modelID ?? configuration.defaultModelID else {
            throw MalformedInput(
                "The device sent no payload.modelId and no default model is configured: register with payload {\"modelId\": \"<dtmi>\"}."
            )
        }
        let hubs = request.linkedHubs.isEmpty ? configuration.linkedHubs : request.linkedHubs
        guard let hub = configuration.hubPolicy.selectHub(for: request.registrationID, among: hubs) else {
            throw MalformedInput("No hub group defined for the enrollment.")
        }
        let twinID = request.registrationID
        let outcome = try await ensureTwin(id: twinID, modelID: modelID)
        logger.info(
            "device allocated",
            metadata: [
                "registrationId": "\(twinID)", "model": "\(modelID)", "hub": "\(hub)", "twin": "\(outcome)",
                "reprovisioning": "\(request.currentHubHostName != nil)",
            ])
        return (AllocationResponse(iotHubHostName: hub, modelID: modelID, twinID: twinID), outcome)
    }
}

/// Thrown (answered 409) when an existing twin has another model, cannot be migrated, and the
/// configuration says not to replace it.
public struct IncompatibleTwinError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The twin.
    public var twinID: String
    /// Its current model.
    public var currentModel: String?
    /// The model the device registers with.
    public var requestedModel: String
    /// The twin's members the requested model does not declare as properties.
    public var undeclared: [String]

    /// The error for `twinID`.
    public init(twinID: String, currentModel: String?, requestedModel: String, undeclared: [String]) {
        self.twinID = twinID
        self.currentModel = currentModel
        self.requestedModel = requestedModel
        self.undeclared = undeclared
    }

    /// A sentence for the error body.
    public var description: String {
        "Twin \(twinID) has model \(currentModel ?? "(none)"); \(requestedModel) does not declare its member(s) "
            + "\(undeclared.joined(separator: ", ")), and replacing twins is disabled."
    }
}
