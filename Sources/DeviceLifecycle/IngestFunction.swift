import ADTWire
import DTDL
import Logging

/// *ingest*: device telemetry updates the device's twin.
///
/// For each message (see ``TelemetryMessage`` for the envelopes): read the twin and resolve
/// its model (with `extends`), then split the body's members by what the model declares:
/// - **Properties** go into ONE JSON Patch: `add` when the twin has no value yet, `replace`
///   when it has; with `replace /$metadata/<name>/sourceTime` = the message's enqueued time
///   (ADT's documented shape). Sent with `If-Match`; a 412 re-reads the twin and rebuilds the
///   patch (bounded). A value whose value and `sourceTime` the twin already holds is skipped,
///   so a redelivered message writes nothing.
/// - **Telemetry** is published to the twin in one call (`Message-Id` = the message's id, or
///   a hash of it, so a redelivery is de-duplicated by the service; `Telemetry-Source-Time` =
///   the enqueued time).
/// - Other names (undeclared, components, relationships) are ignored and logged at debug.
///
/// Answers: 200 `{"status":"ingested","twinId":…,"properties":[…],"telemetry":[…],"ignored":[…]}`;
/// 202 for ignored events; 404 `DigitalTwinNotFound` / `ModelNotFound` when the twin or its
/// model is missing (final: redelivery cannot help); 400 for malformed messages or values
/// the service rejects; 503 when the service fails (redeliver).
public struct IngestFunction: Sendable {
    /// What one message did.
    public struct Outcome: Sendable, Hashable {
        /// The twin written to.
        public var twinID: String
        /// Properties patched.
        public var properties: [String]
        /// Telemetry names published.
        public var telemetry: [String]
        /// Body members neither patched nor published.
        public var ignored: [String]
    }

    /// The Digital Twins service the twins live in.
    public let service: any DigitalTwinsService
    /// Retry bound, telemetry forwarding, sourceTime.
    public let configuration: IngestConfiguration
    /// Where decisions are logged.
    public let logger: Logger
    let models: ModelCache

    /// An ingest function writing through `service`.
    ///
    /// - Parameter models: a cache of resolved models; share one between functions.
    public init(
        service: any DigitalTwinsService, configuration: IngestConfiguration = IngestConfiguration(),
        logger: Logger = Logger(label: "DeviceLifecycle.ingest"), models: ModelCache = ModelCache()
    ) {
        self.service = service
        self.configuration = configuration
        self.logger = logger
        self.models = models
    }

    /// Handles one delivery: an Event Hubs envelope (or a batch), Event Grid events (including
    /// the validation handshake) or CloudEvents.
    public func handle(body: [UInt8], headers: [String: String] = [:]) async -> FunctionResponse {
        await InboundDelivery.dispatch(
            body: body, headers: headers, function: "ingest", logger: logger, read: TelemetryMessage.read,
            target: { if case .message(let message) = $0 { message.twinID } else { nil } }
        ) { await handle($0) }
    }

    /// Handles one event.
    public func handle(_ event: InboundEvent) async -> FunctionResponse {
        await handle(TelemetryMessage.read(event))
    }

    /// Acts on a read telemetry event.
    func handle(_ reading: TelemetryMessage.Reading) async -> FunctionResponse {
        let message: TelemetryMessage
        switch reading {
        case .ignore(let reason):
            logger.debug("event ignored", metadata: ["reason": "\(reason)"])
            return FunctionResponse(status: 202, body: ["status": "ignored", "reason": .string(reason)])
        case .malformed(let reason):
            logger.warning("telemetry refused", metadata: ["reason": "\(reason)"])
            return .badRequest(reason)
        case .message(let m):
            message = m
        }
        do {
            let outcome = try await ingest(message)
            return FunctionResponse(
                status: 200,
                body: [
                    "status": "ingested", "twinId": .string(outcome.twinID),
                    "properties": .array(outcome.properties.map(JSONValue.string)),
                    "telemetry": .array(outcome.telemetry.map(JSONValue.string)),
                    "ignored": .array(outcome.ignored.map(JSONValue.string)),
                ])
        } catch let failure as ServiceFailure where failure.isNotFound {
            // A twin or model that does not exist will not appear by redelivering the message.
            logger.warning(
                "telemetry dropped: twin or model not found",
                metadata: ["device": "\(message.deviceID)", "twin": "\(message.twinID)", "error": "\(failure)"])
            return .error(status: 404, code: failure.code.rawValue, message: failure.message)
        } catch {
            logger.error("ingest failed", metadata: ["twin": "\(message.twinID)", "error": "\(error)"])
            return .failure(error, doing: "updating twin \(message.twinID)")
        }
    }

    /// Applies one message to its twin.
    ///
    /// - Throws: ``ServiceFailure`` 404 `DigitalTwinNotFound` / `ModelNotFound`,
    ///   ``ContentionError``, and service/transport errors.
    public func ingest(_ message: TelemetryMessage) async throws -> Outcome {
        let id = message.twinID
        for attempt in 1...configuration.maxAttempts {
            guard let (twin, etag) = try await service.getTwin(id: id) else { throw ServiceFailure.twinNotFound(id) }
            guard let modelID = twin["$metadata"]?["$model"]?.stringValue else {
                throw ServiceFailure(status: 404, code: .modelNotFound, message: "twin \(id) has no $metadata.$model")
            }
            let contents = try await models.contents(of: modelID, using: service)
            let split = split(message.body, by: contents)
            let patch = Self.propertyPatch(
                split.properties, twin: twin, sourceTime: configuration.setSourceTime ? message.sourceTime : nil)
            if !patch.operations.isEmpty {
                do {
                    try await service.updateTwin(id: id, patch: .array(patch.operations), ifMatch: etag)
                } catch let failure as ServiceFailure where failure.isPreconditionFailed {
                    logger.debug(
                        "twin changed while patching; re-reading", metadata: ["twin": "\(id)", "attempt": "\(attempt)"])
                    continue
                }
            }
            if !split.telemetry.isEmpty {
                try await service.publishTelemetry(
                    id: id, payload: split.telemetry, messageID: message.messageID, sourceTime: message.sourceTime)
            }
            if !split.ignored.isEmpty {
                logger.debug(
                    "members not declared as Property or Telemetry ignored",
                    metadata: [
                        "twin": "\(id)", "model": "\(modelID)", "names": "\(split.ignored.joined(separator: ","))",
                    ])
            }
            logger.debug(
                "telemetry applied",
                metadata: [
                    "twin": "\(id)", "properties": "\(patch.names.count)", "telemetry": "\(split.telemetry.count)",
                ])
            return Outcome(twinID: id, properties: patch.names, telemetry: split.telemetry.keys, ignored: split.ignored)
        }
        throw ContentionError(twinID: id, attempts: configuration.maxAttempts)
    }

    /// The body's members by declaration: Properties, Telemetry (empty when forwarding is off),
    /// and the names of the rest.
    func split(_ body: JSONObject, by contents: ModelContents) -> (
        properties: JSONObject, telemetry: JSONObject, ignored: [String]
    ) {
        var properties = JSONObject()
        var telemetry = JSONObject()
        var ignored: [String] = []
        for (name, value) in body {
            switch contents.kind(of: name) {
            case .property?: properties[name] = value
            case .telemetry? where configuration.forwardTelemetry: telemetry[name] = value
            default: ignored.append(name)
            }
        }
        return (properties, telemetry, ignored)
    }

    /// One patch for `properties`: `add` for a property the twin lacks, `replace` for one it
    /// has, each followed by `replace /$metadata/<name>/sourceTime` when a time is given.
    /// Properties whose value (and sourceTime) the twin already has are left out.
    static func propertyPatch(_ properties: JSONObject, twin: JSONObject, sourceTime: String?) -> (
        operations: [JSONValue], names: [String]
    ) {
        var operations: [JSONValue] = []
        var names: [String] = []
        for (name, value) in properties {
            let current = twin[name]
            let currentSourceTime = twin["$metadata"]?[name]?["sourceTime"]?.stringValue
            if current == value && (sourceTime == nil || currentSourceTime == sourceTime) { continue }
            let path = JSONPointer(tokens: [name]).description
            operations.append(["op": current == nil ? "add" : "replace", "path": .string(path), "value": value])
            if let sourceTime {
                let metadataPath = JSONPointer(tokens: ["$metadata", name, "sourceTime"]).description
                operations.append(["op": "replace", "path": .string(metadataPath), "value": .string(sourceTime)])
            }
            names.append(name)
        }
        return (operations, names)
    }
}
