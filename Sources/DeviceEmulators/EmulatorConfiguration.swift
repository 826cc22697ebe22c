import Foundation

/// Everything the DPS and IoT Hub emulators need besides the database: where they listen, the
/// DPS instance (ID scope, enrollment groups), the hubs (host names, policies, routing), and
/// how events are delivered. Build one in code or read one with
/// ``EmulatorConfiguration/load(path:)`` (format in `EmulatorConfiguration+JSON.swift`).
public struct EmulatorConfiguration: Sendable {
    /// The emulators' own key, guarding the management APIs: DPS `/enrollmentGroups` and the
    /// IoT Hub device registry. Sent as `Authorization: Bearer <key>`, or as the key that
    /// signs a `SharedAccessSignature` token (any `sr` and `skn`). `nil` leaves the DPS
    /// management API open (development on loopback only); the hub registry then accepts only
    /// its hubs' shared access policies.
    public var serviceKey: String?
    /// The Device Provisioning Service emulator.
    public var dps: DPSConfiguration
    /// The IoT Hub emulator.
    public var hub: HubEmulatorConfiguration
    /// Event delivery from the hubs' queue to their routing endpoints.
    public var delivery: DeliveryConfiguration

    /// A configuration with the given parts.
    public init(
        serviceKey: String? = nil, dps: DPSConfiguration = .init(), hub: HubEmulatorConfiguration = .init(),
        delivery: DeliveryConfiguration = .init()
    ) {
        self.serviceKey = serviceKey
        self.dps = dps
        self.hub = hub
        self.delivery = delivery
    }

    /// Checks what can be checked before starting: routing queries parse, routes name known
    /// endpoints, endpoint URLs are `http(s)`, keys are base64, enrollment groups are valid.
    ///
    /// - Throws: ``EmulatorConfigurationError`` naming the first problem.
    public func validate() throws(EmulatorConfigurationError) {
        if let serviceKey, serviceKey.isEmpty { throw .init("serviceKey is empty.") }
        try dps.validate()
        var hosts = Set<String>()
        for hub in hub.hubs {
            try hub.validate()
            guard hosts.insert(hub.hostName.lowercased()).inserted else {
                throw .init("The hub \(hub.hostName) is configured twice.")
            }
        }
    }
}

/// A configuration that cannot be used, and why (never holding key material).
public struct EmulatorConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// An error with this message.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// The DPS emulator: one instance with one ID scope.
public struct DPSConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0: any free port).
    public var port: Int
    /// The ID scope devices register under (`/{idScope}/registrations/...`), compared
    /// case-insensitively.
    public var idScope: String
    /// Hub host names linked to the instance: offered to the webhook as `linkedHubs` for an
    /// enrollment group that names no hubs. Empty: the hub emulator's hubs.
    public var linkedHubs: [String]
    /// Enrollment groups written to the database at start (created or replaced; groups made
    /// through the REST API are kept).
    public var enrollmentGroups: [EnrollmentGroup]
    /// A JSON file of enrollment groups, read at start like ``enrollmentGroups`` (see
    /// ``EnrollmentGroup/load(path:)``).
    public var enrollmentFile: String?
    /// `Retry-After` (seconds) sent while an operation is `assigning`.
    public var retryAfterSeconds: Int
    /// How long the custom-allocation webhook may take before the operation fails.
    public var webhookTimeout: Duration
    /// How many times a webhook answering 429 or 5xx, or not reachable, is called again (after
    /// 1 s, 2 s, 4 s, ...) before the operation fails. 0 (the default): the first failure
    /// ends the operation. (The allocation function answers 503 when it wants DPS to retry;
    /// what DPS itself does is not documented.)
    public var webhookRetries: Int
    /// How often the allocation worker looks for new registrations. It is also woken at once
    /// by registrations this process accepts.
    public var pollInterval: Duration

    /// The defaults: `127.0.0.1:8081`, ID scope `0ne00000000`, `Retry-After: 1`, a 30 s
    /// webhook timeout.
    public init(
        host: String = "127.0.0.1", port: Int = 8081, idScope: String = "0ne00000000", linkedHubs: [String] = [],
        enrollmentGroups: [EnrollmentGroup] = [], enrollmentFile: String? = nil, retryAfterSeconds: Int = 1,
        webhookTimeout: Duration = .seconds(30), webhookRetries: Int = 0, pollInterval: Duration = .milliseconds(200)
    ) {
        self.host = host
        self.port = port
        self.idScope = idScope
        self.linkedHubs = linkedHubs
        self.enrollmentGroups = enrollmentGroups
        self.enrollmentFile = enrollmentFile
        self.retryAfterSeconds = retryAfterSeconds
        self.webhookTimeout = webhookTimeout
        self.webhookRetries = webhookRetries
        self.pollInterval = pollInterval
    }

    func validate() throws(EmulatorConfigurationError) {
        guard !idScope.isEmpty, idScope.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .init("The DPS ID scope must be letters and digits, like 0ne00000A1B.")
        }
        guard retryAfterSeconds >= 0 else { throw .init("dps.retryAfterSeconds must not be negative.") }
        guard (0...10).contains(webhookRetries) else { throw .init("dps.webhookRetries must be between 0 and 10.") }
        for group in enrollmentGroups { try group.validate() }
    }
}

/// The IoT Hub emulator: one HTTP server for any number of hubs.
///
/// A request is for the hub named by, in this order: the path prefix `/hubs/{hub}` (host name
/// or short name, e.g. `/hubs/myhub.azure-devices.net/devices/d1`); the `Host` header, when
/// it is a hub's host name or short name; the only hub, when one is configured.
public struct HubEmulatorConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0: any free port).
    public var port: Int
    /// The hubs served.
    public var hubs: [HubConfiguration]

    /// The defaults: `127.0.0.1:8082`, no hubs.
    public init(host: String = "127.0.0.1", port: Int = 8082, hubs: [HubConfiguration] = []) {
        self.host = host
        self.port = port
        self.hubs = hubs
    }

    /// The hub with this host name or short name (case-insensitive).
    public func hub(named name: String) -> HubConfiguration? {
        let n = name.lowercased()
        return hubs.first { $0.hostName.lowercased() == n } ?? hubs.first { $0.name.lowercased() == n }
    }
}

/// One emulated IoT hub.
public struct HubConfiguration: Sendable {
    /// The host name devices and DPS use, e.g. `myhub.azure-devices.net`.
    public var hostName: String
    /// The short name (`hubName` in events, `user-id`): by default the host name's first label.
    public var name: String
    /// Shared access policies (`iothubowner`, ...): any of them grants the whole registry API
    /// and sending telemetry on a device's behalf (permissions are not modelled).
    public var sharedAccessPolicies: [SharedAccessPolicy]
    /// Where routes send messages.
    public var endpoints: [RouteEndpoint]
    /// Message routes. A message matching no route goes nowhere (there is no built-in
    /// `events` endpoint).
    public var routes: [MessageRoute]
    /// `topic` of Event Grid events, by default
    /// `/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/EMULATOR/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<NAME>`.
    public var eventGridTopic: String

    /// A hub; `name` defaults to the first label of `hostName`.
    public init(
        hostName: String, name: String? = nil, sharedAccessPolicies: [SharedAccessPolicy] = [],
        endpoints: [RouteEndpoint] = [], routes: [MessageRoute] = [], eventGridTopic: String? = nil
    ) {
        self.hostName = hostName
        let short = name ?? String(hostName.prefix { $0 != "." })
        self.name = short
        self.sharedAccessPolicies = sharedAccessPolicies
        self.endpoints = endpoints
        self.routes = routes
        self.eventGridTopic =
            eventGridTopic
            ?? "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/EMULATOR/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/\(short.uppercased())"
    }

    /// The registry's key for this hub: the host name, lower-cased.
    var key: String { hostName.lowercased() }

    func validate() throws(EmulatorConfigurationError) {
        guard !hostName.isEmpty, !hostName.contains("/"), !hostName.contains(" ") else {
            throw .init("The hub host name \"\(hostName)\" is not a host name.")
        }
        for policy in sharedAccessPolicies {
            for key in [policy.primaryKey] + (policy.secondaryKey.map { [$0] } ?? []) {
                guard (try? SharedAccessSignatureKey.check(key)) != nil else {
                    throw .init("The key of policy \(policy.keyName) of hub \(hostName) is not base64.")
                }
            }
        }
        var names = Set<String>()
        for endpoint in endpoints {
            guard names.insert(endpoint.name).inserted else {
                throw .init("The endpoint \(endpoint.name) of hub \(hostName) is defined twice.")
            }
            let url = endpoint.url.lowercased()
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw .init("The endpoint \(endpoint.name) of hub \(hostName) needs an http(s) URL.")
            }
            guard (1...RouteEndpoint.maxBatchSizeLimit).contains(endpoint.maxBatchSize) else {
                throw .init(
                    "The maxBatchSize of endpoint \(endpoint.name) of hub \(hostName) must be 1 to \(RouteEndpoint.maxBatchSizeLimit)."
                )
            }
        }
        for route in routes {
            do {
                _ = try RoutingQuery(route.condition)
            } catch {
                throw .init("The condition of route \(route.name) of hub \(hostName) is invalid: \(error.message)")
            }
            for name in route.endpointNames where !names.contains(name) {
                throw .init("The route \(route.name) of hub \(hostName) names an unknown endpoint \(name).")
            }
        }
    }
}

/// A shared access policy of a hub (`iothubowner`): a key name and its keys.
public struct SharedAccessPolicy: Sendable, Hashable {
    /// `skn` in tokens.
    public var keyName: String
    /// The primary key (base64).
    public var primaryKey: String
    /// The secondary key (base64), if any.
    public var secondaryKey: String?

    /// A policy.
    public init(keyName: String, primaryKey: String, secondaryKey: String? = nil) {
        self.keyName = keyName
        self.primaryKey = primaryKey
        self.secondaryKey = secondaryKey
    }

    /// The keys, primary first.
    var keys: [String] { [primaryKey] + (secondaryKey.map { [$0] } ?? []) }
}

/// A routing endpoint: a webhook receiving messages in one of two JSON forms.
public struct RouteEndpoint: Sendable, Hashable {
    /// How messages are written in the POST body.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// A JSON array of Event Hubs message envelopes
        /// (`{"properties", "systemProperties", "body"}`), as the functions read them.
        case eventHubsEnvelope = "eventhubs-envelope"
        /// A JSON array of Event Grid events (`Microsoft.Devices.DeviceCreated`, `DeviceDeleted`,
        /// `DeviceTelemetry`), with the header `aeg-event-type: Notification`.
        case eventGrid = "eventgrid"
    }

    /// The endpoint's name, referenced by routes.
    public var name: String
    /// The URL POSTed to (a function key may travel as `?code=`).
    public var url: String
    /// The body format.
    public var format: Format
    /// Extra request headers (e.g. `x-functions-key`). Their values are never logged.
    public var headers: [String: String]
    /// At most this many messages in one POST (1 to ``maxBatchSizeLimit``), as an Event Hubs
    /// trigger's `maxEventBatchSize` or an Event Grid subscription's `maxEventsPerBatch` allow.
    /// Messages due together are batched; none waits for a batch to fill.
    public var maxBatchSize: Int

    /// The largest `maxBatchSize` accepted (Event Grid allows 5,000 events per batch; a
    /// thousand keeps one POST well under the functions' body limit).
    public static let maxBatchSizeLimit = 1_000

    /// An endpoint.
    public init(name: String, url: String, format: Format, headers: [String: String] = [:], maxBatchSize: Int = 1) {
        self.name = name
        self.url = url
        self.format = format
        self.headers = headers
        self.maxBatchSize = maxBatchSize
    }
}

/// Where a routed message comes from (IoT Hub's route data sources).
public enum RoutingSource: String, Sendable, Hashable, CaseIterable {
    /// Device-to-cloud telemetry.
    case deviceMessages = "DeviceMessages"
    /// `createDeviceIdentity` / `deleteDeviceIdentity` notifications.
    case deviceLifecycleEvents = "DeviceLifecycleEvents"
    /// Twin changes (accepted in configurations; the emulator emits none).
    case twinChangeEvents = "TwinChangeEvents"

    /// The source named `text`, case-insensitively.
    public init?(name text: String) {
        guard let s = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else { return nil }
        self = s
    }
}

/// A route: messages of `source` for which `condition` is true go to `endpointNames`.
public struct MessageRoute: Sendable, Hashable {
    /// The route's name.
    public var name: String
    /// Which messages it considers.
    public var source: RoutingSource
    /// A routing query (see ``RoutingQuery``); `true` by default.
    public var condition: String
    /// The endpoints receiving matching messages.
    public var endpointNames: [String]
    /// A disabled route sends nothing.
    public var isEnabled: Bool

    /// A route.
    public init(
        name: String, source: RoutingSource, condition: String = "true", endpointNames: [String], isEnabled: Bool = true
    ) {
        self.name = name
        self.source = source
        self.condition = condition
        self.endpointNames = endpointNames
        self.isEnabled = isEnabled
    }
}

/// How the delivery worker drains the hubs' queue.
public struct DeliveryConfiguration: Sendable {
    /// How often the queue is polled when idle.
    public var pollInterval: Duration
    /// The wait before the first retry; doubled each attempt up to ``maxBackoff``.
    public var initialBackoff: Duration
    /// The longest wait between two attempts.
    public var maxBackoff: Duration
    /// How long one POST may take.
    public var requestTimeout: Duration
    /// At most this many deliveries in flight per worker.
    public var batchSize: Int
    /// Messages delivered everywhere are deleted this long after their last delivery.
    public var retention: Duration

    /// The defaults: poll every 200 ms; retry after 0.5 s, 1 s, 2 s, ... at most 60 s apart;
    /// 30 s per POST; 32 in flight; keep delivered messages one hour.
    public init(
        pollInterval: Duration = .milliseconds(200), initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(60), requestTimeout: Duration = .seconds(30), batchSize: Int = 32,
        retention: Duration = .seconds(3600)
    ) {
        self.pollInterval = pollInterval
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.requestTimeout = requestTimeout
        self.batchSize = batchSize
        self.retention = retention
    }

    /// The wait after `attempts` failed attempts: `initialBackoff · 2^(attempts-1)`, capped.
    func backoff(afterAttempts attempts: Int) -> Duration {
        let exponent = min(max(attempts - 1, 0), 30)
        let wait = initialBackoff * (1 << exponent)
        return wait > maxBackoff ? maxBackoff : wait
    }
}

/// Checks base64 keys without signing anything.
enum SharedAccessSignatureKey {
    static func check(_ key: String) throws {
        struct NotBase64: Error {}
        var s = key
        let r = s.utf8.count % 4
        if r == 1 { throw NotBase64() }
        if r > 0 { s += String(repeating: "=", count: 4 - r) }
        guard !key.isEmpty, let data = Foundation.Data(base64Encoded: s), !data.isEmpty else { throw NotBase64() }
    }
}
