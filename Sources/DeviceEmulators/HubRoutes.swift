import ADTWire
import DTDL
import DeviceLifecycle
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresSupport

/// The IoT Hub emulator's HTTP API, any `api-version`, each route also under `/hubs/{hub}`
/// (see ``HubEmulatorConfiguration`` for how the hub is chosen):
///
/// - `PUT /devices/{id}`: create (no `If-Match`; 409 if it exists) or replace (`If-Match: *`
///   or the etag; 412 on a mismatch); symmetric keys left empty are generated. 200 + `Device`.
/// - `GET /devices/{id}`: 200 + `Device`; `GET /twins/{id}`: 200 + the device twin.
/// - `DELETE /devices/{id}`: 204 (`If-Match` `*`, `"*"` or the etag; 412 on a mismatch).
/// - `POST /devices/{id}/messages/events`: device-to-cloud telemetry, 204. Application
///   properties from `iothub-app-<name>` headers; `iothub-messageid`, `iothub-correlationid`,
///   `iothub-userid`, `iothub-contenttype` (else `Content-Type`) and `iothub-contentencoding`
///   (else `Content-Encoding`) become system properties.
///
/// Registry calls need the emulator's service key or a hub policy's SAS (`skn=iothubowner`);
/// telemetry needs the device's SAS (`sr={host}/devices/{id}`) or a policy's.
struct HubRoutes: Sendable {
    let configuration: HubEmulatorConfiguration
    let authorization: HubAuthorization
    let registry: HubRegistry
    let delivery: Wakeup
    let logger: Logger

    /// IoT Hub's largest device-to-cloud message.
    static let maxMessageBytes = 256 * 1024
    /// The largest registry request accepted.
    static let maxBodyBytes = 64 * 1024

    func register(on router: Router<some RequestContext>) {
        for prefix in ["", "hubs/{hub}/"] {
            router.put(RouterPath(prefix + "devices/{id}")) { request, context in
                let (hub, id) = try resolve(request, context)
                try authorization.authorizeService(request, hub: hub, deviceID: id)
                return try await put(request, hub: hub, deviceID: id)
            }
            router.get(RouterPath(prefix + "devices/{id}")) { request, context in
                let (hub, id) = try resolve(request, context)
                try authorization.authorizeService(request, hub: hub, deviceID: id)
                guard let device = try await registry.get(hub: hub.key, deviceID: id) else {
                    throw HubError.deviceNotFound(id, hub: hub.name)
                }
                return EmulatorHTTP.json(.ok, device.json, headers: [.eTag: "\"\(device.etag)\""])
            }
            router.get(RouterPath(prefix + "twins/{id}")) { request, context in
                let (hub, id) = try resolve(request, context)
                try authorization.authorizeService(request, hub: hub, deviceID: id)
                guard let device = try await registry.get(hub: hub.key, deviceID: id) else {
                    throw HubError.deviceNotFound(id, hub: hub.name)
                }
                return EmulatorHTTP.json(.ok, device.serviceTwinJSON, headers: [.eTag: "\"\(device.twinETag)\""])
            }
            router.delete(RouterPath(prefix + "devices/{id}")) { request, context in
                let (hub, id) = try resolve(request, context)
                try authorization.authorizeService(request, hub: hub, deviceID: id)
                do {
                    _ = try await registry.delete(hub: hub.key, deviceID: id, ifMatch: request.headers[.ifMatch])
                } catch HubRegistry.WriteError.deviceNotFound {
                    throw HubError.deviceNotFound(id, hub: hub.name)
                } catch HubRegistry.WriteError.preconditionFailed(let current) {
                    throw HubError.preconditionFailed(
                        "Precondition failed: the device's etag is \(current), not the one in If-Match.")
                }
                delivery.signal()
                logger.info("device deleted", metadata: ["hub": "\(hub.name)", "deviceId": "\(id)"])
                return EmulatorHTTP.empty(.noContent)
            }
            router.post(RouterPath(prefix + "devices/{id}/messages/events")) { request, context in
                let (hub, id) = try resolve(request, context)
                return try await telemetry(request, hub: hub, deviceID: id)
            }
        }
    }

    /// The hub a request is for, and the device id in its path.
    func resolve(_ request: Request, _ context: some RequestContext) throws -> (HubConfiguration, String) {
        let hub: HubConfiguration
        if let name = EmulatorHTTP.parameter(context, "hub") {
            guard let named = configuration.hub(named: name) else {
                throw HubError.hubNotFound("The hub \(name) is not served here.")
            }
            hub = named
        } else if let host = EmulatorHTTP.host(request), let named = configuration.hub(named: host) {
            hub = named
        } else if configuration.hubs.count == 1 {
            hub = configuration.hubs[0]
        } else {
            throw HubError.hubNotFound(
                "Name the hub with the Host header or the path prefix /hubs/{hostName} (several hubs are served).")
        }
        guard let id = EmulatorHTTP.parameter(context, "id"), HubDevice.isValidID(id) else {
            throw HubError.argumentInvalid(
                "The device id is invalid: use 1 to 128 ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ '.")
        }
        return (hub, id)
    }

    func put(_ request: Request, hub: HubConfiguration, deviceID: String) async throws -> Response {
        guard let body = await EmulatorHTTP.body(request, limit: Self.maxBodyBytes) else {
            throw HubError.argumentInvalid("The device body is too large.")
        }
        let spec = try Self.deviceSpec(body, deviceID: deviceID)
        let ifMatch = request.headers[.ifMatch]
        let device: HubDevice
        do {
            device = try await registry.put(hub: hub.key, spec: spec, ifMatch: ifMatch)
        } catch HubRegistry.WriteError.deviceAlreadyExists {
            throw HubError.alreadyExists(deviceID)
        } catch HubRegistry.WriteError.deviceNotFound {
            throw HubError.deviceNotFound(deviceID, hub: hub.name)
        } catch HubRegistry.WriteError.preconditionFailed(let current) {
            throw HubError.preconditionFailed(
                "Precondition failed: the device's etag is \(current), not the one in If-Match.")
        }
        if ifMatch == nil {
            delivery.signal()
            logger.info("device created", metadata: ["hub": "\(hub.name)", "deviceId": "\(deviceID)"])
        }
        return EmulatorHTTP.json(.ok, device.json, headers: [.eTag: "\"\(device.etag)\""])
    }

    /// Reads a `Device` body: `deviceId` (must match the path), `status`, `statusReason`,
    /// `authentication` (`sas`, keys optional), `capabilities.iotEdge`.
    static func deviceSpec(_ body: [UInt8], deviceID: String) throws(HubError) -> HubRegistry.DeviceSpec {
        var spec = HubRegistry.DeviceSpec(deviceID: deviceID)
        guard !body.isEmpty else { return spec }
        guard let object = (try? JSONParser.parse(body))?.objectValue else {
            throw HubError.argumentInvalid("The request body is not a JSON object (a Device).")
        }
        if let bodyID = object["deviceId"]?.stringValue, !bodyID.isEmpty, bodyID != deviceID {
            throw HubError.argumentInvalid("The deviceId in the body, \(bodyID), differs from the one in the path.")
        }
        if let status = object.text("status") {
            guard status == "enabled" || status == "disabled" else {
                throw HubError.argumentInvalid("status must be enabled or disabled.")
            }
            spec.status = status
        }
        spec.statusReason = object.text("statusReason")
        if let authentication = object["authentication"]?.objectValue {
            if let type = authentication.text("type"), type != "sas" {
                throw HubError.argumentInvalid("Only authentication type sas is emulated, not \(type).")
            }
            let keys = authentication["symmetricKey"]?.objectValue
            spec.primaryKey = keys?.text("primaryKey")
            spec.secondaryKey = keys?.text("secondaryKey")
            for key in [spec.primaryKey, spec.secondaryKey].compactMap({ $0 }) {
                guard (try? SharedAccessSignatureKey.check(key)) != nil else {
                    throw HubError.argumentInvalid("A symmetric key is not base64.")
                }
            }
        }
        spec.iotEdge = object["capabilities"]?["iotEdge"]?.boolValue ?? false
        return spec
    }

    func telemetry(_ request: Request, hub: HubConfiguration, deviceID: String) async throws -> Response {
        let device = try await registry.get(hub: hub.key, deviceID: deviceID)
        let scope = try authorization.authorizeDevice(request, hub: hub, device: device, deviceID: deviceID)
        guard let body = await EmulatorHTTP.body(request, limit: Self.maxMessageBytes) else {
            throw HubError.messageTooLarge
        }
        let now = Date()
        var properties = JSONObject()
        var system = JSONObject()
        func header(_ name: String) -> String? {
            guard let value = request.headers[EmulatorHTTP.name(name)], !value.isEmpty else { return nil }
            return value
        }
        for field in request.headers {
            let name = field.name.rawName
            if name.lowercased().hasPrefix("iothub-app-"), name.count > 11 {
                properties[String(name.dropFirst(11))] = .string(field.value)
            }
        }
        if let v = header("iothub-messageid") { system["message-id"] = .string(v) }
        if let v = header("iothub-correlationid") { system["correlation-id"] = .string(v) }
        if let v = header("iothub-userid") { system["user-id"] = .string(v) }
        if let v = header("iothub-contenttype") ?? header("Content-Type") { system["content-type"] = .string(v) }
        if let v = header("iothub-contentencoding") ?? header("Content-Encoding") {
            system["content-encoding"] = .string(v)
        }
        system["iothub-connection-device-id"] = .string(deviceID)
        system["iothub-connection-auth-method"] = .string(
            #"{"scope":"\#(scope.rawValue)","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}"#)
        system["iothub-connection-auth-generation-id"] = .string(device?.generationID ?? "")
        system["iothub-enqueuedtime"] = .integer(EmulatorTime.epochMilliseconds(now))
        system["iothub-message-source"] = "Telemetry"
        let message = HubMessage(
            hub: hub.key, source: .deviceMessages, eventID: EmulatorRandom.uuid(), deviceID: deviceID,
            properties: properties, systemProperties: system, body: body, enqueuedAt: now)
        try await registry.accept(message)
        delivery.signal()
        return EmulatorHTTP.empty(.noContent)
    }
}
