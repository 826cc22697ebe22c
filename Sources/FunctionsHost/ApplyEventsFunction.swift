import ADTWire
import DeviceLifecycle
import Logging
import TwinBridge

/// *ApplyDigitalTwinsEvents* (bridge mode, the other instance to this one): the change
/// notifications of another ADT-compatible instance, as its Event Grid subscription (or any
/// webhook sender) delivers them, applied to the functions' Digital Twins service with
/// ``TwinBridge/ChangeApplier``, the code the gateway's `digitaltwins` endpoint uses the other
/// way.
///
/// `POST`: Event Grid events or CloudEvents (one, a batch, or binary mode), or Event Grid's
/// validation handshake. Each notification is applied in order; the first failure stops the
/// batch and answers 503, so the sender delivers the batch again (what applied before applies
/// as unchanged). Answers 200 with the batch's counts. `GET`: the counts since the host
/// started (``TwinBridge/BridgeStatistics``), for `twins bridge status`.
public struct ApplyEventsFunction: Sendable {
    let applier: ChangeApplier
    let statistics: BridgeStatistics
    let logger: Logger

    /// A function applying to `applier`'s target, counting into `statistics`.
    public init(applier: ChangeApplier, statistics: BridgeStatistics = BridgeStatistics(), logger: Logger) {
        self.applier = applier
        self.statistics = statistics
        self.logger = logger
    }

    /// Handles one delivery.
    func handle(body: [UInt8], headers: [String: String]) async -> FunctionResponse {
        let events: [JSONObject]
        do {
            switch try BridgeDelivery.parse(body: body, headers: headers) {
            case .subscriptionValidation(let code):
                return InboundDelivery.validationResponse(code: code)
            case .events(let list):
                events = list
            }
        } catch {
            return .badRequest("The delivery is not ADT notifications: \(error.description).")
        }
        var counts: [BridgeOutcome.Kind: Int] = [:]
        var conflicts = 0
        for event in events {
            let outcome = await applier.apply(event)
            statistics.record(outcome, event: event)
            counts[outcome.kind, default: 0] += 1
            conflicts += outcome.conflicts
            if let failure = outcome.failure {
                logger.notice(
                    "bridge: notification not applied, the sender will retry",
                    metadata: ["type": "\(event["type"]?.stringValue ?? "")", "reason": "\(failure)"])
                return .error(
                    status: 503, code: "ServiceUnavailable",
                    message: "A notification could not be applied (\(failure)); deliver the batch again later.")
            }
        }
        var body = JSONObject()
        for kind in [BridgeOutcome.Kind.applied, .unchanged, .echo, .ignored, .conflict] {
            body[kind.rawValue] = .integer(Int64(counts[kind] ?? 0))
        }
        body["conflicts"] = .integer(Int64(conflicts))
        return FunctionResponse(status: 200, body: .object(body))
    }

    /// The counts since the host started.
    func status() -> FunctionResponse {
        FunctionResponse(status: 200, body: statistics.json)
    }
}
