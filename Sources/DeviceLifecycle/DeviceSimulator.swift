import ADTWire
import Foundation
import HTTPTransport
import Logging

/// A simulated device: registers through DPS's device HTTPS API with a key derived from an
/// enrollment group's key, then sends device-to-cloud telemetry to the hub DPS assigned, as the
/// Azure IoT device SDKs do over HTTPS. Works against real DPS and IoT Hub and against the
/// emulators.
public struct DeviceSimulator: Sendable {
    /// Where and how the device registers: the DPS endpoint, ID scope, group key and limits.
    public struct Configuration: Sendable {
        /// DPS's device endpoint (`https://global.azure-devices-provisioning.net`).
        public var provisioningEndpoint: String
        /// The DPS instance's ID scope, the first segment of the registration path.
        public var idScope: String
        /// The enrollment group's symmetric key (base64).
        public var groupKey: String
        /// Sent as the registration payload's `modelId` (the allocation function uses it).
        public var modelID: String?
        /// The `api-version` of DPS's device API calls.
        public var apiVersion = "2021-10-01"
        /// The base URL of a hub's HTTPS API, from its host name: `https://<hub>` for Azure; the
        /// hub emulator serves `<emulator>/hubs/<hub>` as well.
        public var hubBaseURL: @Sendable (String) -> String = { "https://\($0)" }
        /// Seconds a SAS token is valid.
        public var tokenLifetime: Int64 = 3600
        /// Registration polls at most this long.
        public var registrationTimeout: Duration = .seconds(60)

        /// A configuration registering at `provisioningEndpoint` under `idScope` with `groupKey`.
        public init(provisioningEndpoint: String, idScope: String, groupKey: String, modelID: String? = nil) {
            self.provisioningEndpoint = provisioningEndpoint
            self.idScope = idScope
            self.groupKey = groupKey
            self.modelID = modelID
        }
    }

    /// Where DPS put the device, and its key.
    public struct Registration: Sendable {
        /// The registration id the device registered with.
        public var registrationID: String
        /// The device id DPS assigned (`registrationState.deviceId`).
        public var deviceID: String
        /// The host name of the hub DPS assigned the device to.
        public var assignedHub: String
        /// The device's symmetric key (base64), derived from the group key.
        public var deviceKey: String
    }

    /// Why a registration or a message failed.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed, with the service's status and answer when it gave one.
        public let description: String
    }

    let configuration: Configuration
    let transport: any Transport
    let logger: Logger

    /// A simulator for `configuration`, calling DPS and the hub over `transport`.
    public init(
        configuration: Configuration, transport: any Transport = CurlTransport.shared,
        logger: Logger = Logger(label: "twins.device")
    ) {
        self.configuration = configuration
        self.transport = transport
        self.logger = logger
    }

    /// Registers `registrationID` and waits for the assignment.
    public func register(_ registrationID: String) async throws -> Registration {
        let deviceKey = try SharedAccessSignature.deriveDeviceKey(
            groupKey: configuration.groupKey, registrationID: registrationID)
        let resource = "\(configuration.idScope)/registrations/\(registrationID)"
        let token = try SharedAccessSignature.create(
            resourceURI: resource, key: deviceKey, expiry: Self.now() + configuration.tokenLifetime,
            keyName: "registration")
        let base =
            "\(trimmed(configuration.provisioningEndpoint))/\(Self.pathEncode(configuration.idScope))/registrations/\(Self.pathEncode(registrationID))"
        var payload = JSONObject([("registrationId", .string(registrationID))])
        if let model = configuration.modelID {
            payload["payload"] = .object(JSONObject([("modelId", .string(model))]))
        }
        let headers: HTTPHeaders = [
            "Authorization": token.token, "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        ]
        var response = try await transport.send(
            TransportRequest(
                method: .put, url: "\(base)/register?api-version=\(configuration.apiVersion)", headers: headers,
                body: JSONWriter.bytes(.object(payload))))
        let deadline = ContinuousClock.now + configuration.registrationTimeout
        while true {
            guard (200..<300).contains(response.status) || response.status >= 429 else {
                throw Failure(
                    description:
                        "DPS answered \(response.status) to \(registrationID): \(String(decoding: response.body, as: UTF8.self))"
                )
            }
            let body = try? JSONParser.parse(response.body)
            let status = body?["status"]?.stringValue
            if status == "assigned", let state = body?["registrationState"],
                let hub = state["assignedHub"]?.stringValue,
                let device = state["deviceId"]?.stringValue
            {
                logger.debug("registered", metadata: ["registration": "\(registrationID)", "hub": "\(hub)"])
                return Registration(
                    registrationID: registrationID, deviceID: device, assignedHub: hub, deviceKey: deviceKey)
            }
            if status == "failed" || status == "disabled" {
                let reason = body?["registrationState"]?["errorMessage"]?.stringValue ?? "no reason given"
                throw Failure(description: "the registration of \(registrationID) \(status!): \(reason)")
            }
            guard let operation = body?["operationId"]?.stringValue else {
                throw Failure(description: "DPS answered \(response.status) without an operation id")
            }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "the registration of \(registrationID) timed out")
            }
            let wait = response.headers["Retry-After"].flatMap(Double.init) ?? 2
            try await Task.sleep(for: .milliseconds(Int(min(max(wait, 0.05), 10) * 1000)))
            response = try await transport.send(
                TransportRequest(
                    method: .get,
                    url: "\(base)/operations/\(Self.pathEncode(operation))?api-version=\(configuration.apiVersion)",
                    headers: headers))
        }
    }

    /// Sends one device-to-cloud message (JSON, UTF-8) to the device's hub; returns its message id.
    @discardableResult
    public func send(_ telemetry: JSONObject, from registration: Registration, messageID: String = UUID().uuidString)
        async throws -> String
    {
        let resource = "\(registration.assignedHub)/devices/\(registration.deviceID)"
        let token = try SharedAccessSignature.create(
            resourceURI: resource, key: registration.deviceKey, expiry: Self.now() + configuration.tokenLifetime)
        let url =
            "\(trimmed(configuration.hubBaseURL(registration.assignedHub)))/devices/\(Self.pathEncode(registration.deviceID))/messages/events?api-version=2021-04-12"
        let response = try await transport.send(
            TransportRequest(
                method: .post, url: url,
                headers: [
                    "Authorization": token.token, "Content-Type": "application/json",
                    "iothub-contenttype": "application/json",
                    "iothub-contentencoding": "utf-8", "iothub-messageid": messageID,
                ],
                body: JSONWriter.bytes(.object(telemetry)), isIdempotent: true))
        guard (200..<300).contains(response.status) else {
            throw Failure(
                description:
                    "the hub answered \(response.status) to a message of \(registration.deviceID): \(String(decoding: response.body, as: UTF8.self))"
            )
        }
        return messageID
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }

    static func pathEncode(_ segment: String) -> String {
        segment.addingPercentEncoding(
            withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? segment
    }
}
