import ADTWire
import CMosquitto
import EventRoutes
import Foundation
import Logging

/// Publishes notifications to an MQTT broker through libmosquitto: each notification (its
/// CloudEvents JSON, structured) on the topic the endpoint's template makes of it, at the
/// endpoint's QoS (1 by default: the broker acknowledges each message). A batch counts as
/// delivered once the broker has acknowledged every message of it; otherwise it is retried whole
/// (at least once). One connection per endpoint and process, kept by libmosquitto's own thread,
/// which reconnects by itself; messages go out in order on it, so one twin's stay in order.
final class MQTTSender: EventSender, @unchecked Sendable {
    let broker: EndpointTarget.MQTTBroker
    let timeout: Duration
    let logger: Logger
    let endpoint: String
    private let lock = NSLock()
    private var client: OpaquePointer?
    private var connected = false
    private var lastConnectError: String?
    /// Message ids waiting for the broker's acknowledgement, and those acknowledged before their
    /// sender started to wait.
    private var waiting: [Int32: CheckedContinuation<Void, Never>] = [:]
    private var acknowledged: Set<Int32> = []

    var maxBatchSize: Int { 100 }

    init(broker: EndpointTarget.MQTTBroker, endpoint: String, timeout: Duration, logger: Logger) {
        self.broker = broker
        self.endpoint = endpoint
        self.timeout = timeout
        self.logger = logger
    }

    deinit {
        if let client {
            mosquitto_disconnect(client)
            mosquitto_loop_stop(client, true)
            mosquitto_destroy(client)
        }
    }

    func send(_ events: [PendingEvent]) async -> String? {
        if let failure = connection() { return failure }
        guard let client = lock.withLock({ connected ? self.client : nil }) else {
            return "not connected to \(broker.host):\(broker.port)" + (lastError.map { ": \($0)" } ?? "")
        }
        var mids: [Int32] = []
        for event in events {
            let topic = NotificationFormat.topic(broker.topic, for: event.object)
            var mid: Int32 = 0
            let payload = Array(event.text.utf8)
            let status = payload.withUnsafeBytes { bytes in
                mosquitto_publish(client, &mid, topic, Int32(bytes.count), bytes.baseAddress, Int32(broker.qos), false)
            }
            guard status == MOSQ_ERR_SUCCESS.rawValue else {
                return "publish failed: " + String(cString: mosquitto_strerror(status))
            }
            mids.append(mid)
        }
        guard broker.qos > 0 else { return nil }
        // Every acknowledgement, or the timeout.
        let deadline = ContinuousClock.now + timeout
        for mid in mids {
            let acked = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await self.acknowledgement(of: mid); return true
                }
                group.addTask {
                    try? await Task.sleep(until: deadline)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                if !first { self.giveUp(on: mid) }
                return first
            }
            if !acked { return "the broker did not acknowledge within \(timeout)" }
        }
        return nil
    }

    private var lastError: String? { lock.withLock { lastConnectError } }

    /// Makes the client and starts connecting, once; `nil` when a client exists.
    private func connection() -> String? {
        lock.lock()
        defer { lock.unlock() }
        if client != nil { return nil }
        MQTTLibrary.initialize
        let id = "\(broker.clientID)-\(UUID().uuidString.prefix(8).lowercased())"
        guard let made = mosquitto_new(id, true, Unmanaged.passUnretained(self).toOpaque()) else {
            return "libmosquitto could not make a client"
        }
        if let username = broker.username { mosquitto_username_pw_set(made, username, broker.password) }
        if broker.tls {
            let status = mosquitto_tls_set(
                made, broker.caFile, broker.caFile == nil ? "/etc/ssl/certs" : nil, nil, nil, nil)
            guard status == MOSQ_ERR_SUCCESS.rawValue else {
                mosquitto_destroy(made)
                return "TLS settings refused: " + String(cString: mosquitto_strerror(status))
            }
        }
        mosquitto_connect_callback_set(made) { _, object, code in
            guard let object else { return }
            Unmanaged<MQTTSender>.fromOpaque(object).takeUnretainedValue().connected(code)
        }
        mosquitto_disconnect_callback_set(made) { _, object, code in
            guard let object else { return }
            Unmanaged<MQTTSender>.fromOpaque(object).takeUnretainedValue().disconnected(code)
        }
        mosquitto_publish_callback_set(made) { _, object, mid in
            guard let object else { return }
            Unmanaged<MQTTSender>.fromOpaque(object).takeUnretainedValue().acknowledged(mid)
        }
        mosquitto_reconnect_delay_set(made, 1, 30, true)
        client = made
        mosquitto_loop_start(made)
        let status = mosquitto_connect_async(made, broker.host, Int32(broker.port), 30)
        if status != MOSQ_ERR_SUCCESS.rawValue {
            lastConnectError = String(cString: mosquitto_strerror(status))
        }
        return nil
    }

    private func connected(_ code: Int32) {
        let reason = code == 0 ? nil : String(cString: mosquitto_connack_string(code))
        lock.withLock {
            connected = code == 0
            lastConnectError = reason
        }
        if let reason {
            logger.warning(
                "MQTT broker refused the connection", metadata: ["endpoint": "\(endpoint)", "reason": "\(reason)"])
        }
    }

    private func disconnected(_ code: Int32) {
        lock.withLock {
            connected = false
            if code != 0 { lastConnectError = "connection lost" }
        }
    }

    private func acknowledged(_ mid: Int32) {
        let continuation = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            if let waiter = waiting.removeValue(forKey: mid) { return waiter }
            acknowledged.insert(mid)
            return nil
        }
        continuation?.resume()
    }

    private func acknowledgement(of mid: Int32) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lock.withLock { () -> Bool in
                if acknowledged.remove(mid) != nil { return true }
                waiting[mid] = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func giveUp(on mid: Int32) {
        lock.withLock { waiting.removeValue(forKey: mid) }?.resume()
    }
}

/// `mosquitto_lib_init`, once per process.
enum MQTTLibrary {
    static let initialize: Void = { _ = mosquitto_lib_init() }()
}
