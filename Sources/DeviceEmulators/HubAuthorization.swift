import DeviceLifecycle
import Foundation
import HTTPTypes
import Hummingbird

/// Who may call an emulated hub, checked from the `Authorization` header.
struct HubAuthorization: Sendable {
    /// The emulator's service key, when configured.
    let serviceKey: String?

    /// How a device message was authenticated (`iothub-connection-auth-method`).
    enum Scope: String {
        case device
        case hub
    }

    /// A registry call: the emulator's service key (bearer or SAS), or a SAS token of one of
    /// the hub's policies (`skn` names it) whose `sr` covers `{host}/devices/{id}`.
    func authorizeService(_ request: Request, hub: HubConfiguration, deviceID: String) throws(HubError) {
        let header = request.headers[.authorization]
        if let serviceKey, ServiceKeyAuthorization.accepts(header, serviceKey: serviceKey) { return }
        let token = try Self.token(header)
        guard let keyName = token.keyName, let policy = hub.sharedAccessPolicies.first(where: { $0.keyName == keyName })
        else {
            throw HubError.unauthorized("The token names no shared access policy of hub \(hub.name) (skn).")
        }
        try Self.verify(token, keys: policy.keys, resource: "\(hub.hostName)/devices/\(deviceID)")
    }

    /// A device call: a SAS token signed with the device's key, `sr` covering
    /// `{host}/devices/{id}` and no `skn`; or a hub policy's token (sending on the device's
    /// behalf).
    func authorizeDevice(_ request: Request, hub: HubConfiguration, device: HubDevice?, deviceID: String)
        throws(HubError) -> Scope
    {
        let token = try Self.token(request.headers[.authorization])
        let resource = "\(hub.hostName)/devices/\(deviceID)"
        if let keyName = token.keyName {
            guard let policy = hub.sharedAccessPolicies.first(where: { $0.keyName == keyName }) else {
                throw HubError.unauthorized("The token names no shared access policy of hub \(hub.name) (skn).")
            }
            try Self.verify(token, keys: policy.keys, resource: resource)
            guard device != nil else { throw HubError.deviceNotFound(deviceID, hub: hub.name) }
            return .hub
        }
        guard let device else {
            throw HubError.unauthorized("The device \(deviceID) is not registered in hub \(hub.name).")
        }
        try Self.verify(token, keys: device.keys, resource: resource)
        guard device.status == "enabled" else { throw HubError.unauthorized("The device \(deviceID) is disabled.") }
        return .device
    }

    static func token(_ header: String?) throws(HubError) -> SharedAccessSignature {
        guard let header, !header.isEmpty else {
            throw HubError.unauthorized(
                "The request has no Authorization header (SharedAccessSignature sr=…&sig=…&se=…).")
        }
        do {
            return try SharedAccessSignature.parse(header)
        } catch {
            throw HubError.unauthorized("The SharedAccessSignature token is malformed: \(error.detail)")
        }
    }

    static func verify(_ token: SharedAccessSignature, keys: [String], resource: String) throws(HubError) {
        do {
            try token.verify(keys: keys, resource: resource)
        } catch {
            throw HubError.unauthorized("The SharedAccessSignature token was refused: \(error.detail)")
        }
    }
}
