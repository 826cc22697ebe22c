import ADTWire
import DTDL
import DeviceLifecycle
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresSupport

/// DPS's device registration API (the `device.json` swagger), any `api-version`:
///
/// - `PUT /{idScope}/registrations/{registrationId}/register`: 202
///   `{"operationId", "status": "assigning"}` with `Retry-After`;
/// - `GET /{idScope}/registrations/{registrationId}/operations/{operationId}`: 202 with
///   `Retry-After` while assigning, then 200 with the final `RegistrationOperationStatus`;
/// - `POST /{idScope}/registrations/{registrationId}`: 200 with the registration's latest
///   `DeviceRegistrationResult`.
///
/// Each needs `Authorization: SharedAccessSignature sr={idScope}/registrations/{registrationId}
/// &sig=…&se=…&skn=registration`, signed with the device key derived from the primary or
/// secondary key of an enabled enrollment group.
struct DPSRoutes: Sendable {
    let configuration: DPSConfiguration
    let enrollments: EnrollmentStore
    let operations: RegistrationStore
    let wakeup: Wakeup
    let logger: Logger

    /// The largest registration request accepted.
    static let maxBodyBytes = 64 * 1024

    func register(on router: Router<some RequestContext>) {
        router.put("{idScope}/registrations/{registrationId}/register") { request, context in
            try await registerDevice(request, context)
        }
        router.get("{idScope}/registrations/{registrationId}/operations/{operationId}") { request, context in
            let (scope, registrationID) = try Self.ids(context)
            _ = try await authenticate(request, scope: scope, registrationID: registrationID)
            guard let operationID = EmulatorHTTP.parameter(context, "operationId"),
                let operation = try await operations.get(
                    operationID: operationID, idScope: scope, registrationID: registrationID)
            else { throw DPSError.notFound("The registration operation was not found.") }
            if operation.status == "assigning" {
                return EmulatorHTTP.json(
                    .accepted, operation.json, headers: [.retryAfter: String(configuration.retryAfterSeconds)])
            }
            return EmulatorHTTP.json(.ok, operation.json)
        }
        router.post("{idScope}/registrations/{registrationId}") { request, context in
            let (scope, registrationID) = try Self.ids(context)
            _ = try await authenticate(request, scope: scope, registrationID: registrationID)
            guard let operation = try await operations.latest(idScope: scope, registrationID: registrationID) else {
                throw DPSError.notFound("The registration \(registrationID) was not found.")
            }
            return EmulatorHTTP.json(.ok, operation.registrationState)
        }
    }

    /// `PUT .../register`: checks the body and the token, records an `assigning` operation and
    /// wakes the allocation worker.
    func registerDevice(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let (scope, registrationID) = try Self.ids(context)
        let group = try await authenticate(request, scope: scope, registrationID: registrationID)
        guard let body = await EmulatorHTTP.body(request, limit: Self.maxBodyBytes) else { throw DPSError.tooLarge }
        var payload: JSONValue?
        if !body.isEmpty {
            guard let object = (try? JSONParser.parse(body))?.objectValue else {
                throw DPSError.badRequest(
                    "The request body is not a JSON object ({\"registrationId\": …, \"payload\": {…}}).")
            }
            if let bodyID = object["registrationId"]?.stringValue, bodyID.lowercased() != registrationID.lowercased() {
                throw DPSError.badRequest(
                    "The registrationId in the body, \(bodyID), differs from the one in the path.")
            }
            switch object["payload"] {
            case .none, .some(.null): break
            case .some(.object(let p)): payload = .object(p)
            case .some: throw DPSError.badRequest("payload must be a JSON object.")
            }
        }
        guard group.isEnabled else {
            throw DPSError.unauthorized("The enrollment group \(group.id) is disabled.")
        }
        let operation = try await operations.create(
            idScope: scope, registrationID: registrationID, groupID: group.id, payload: payload)
        wakeup.signal()
        logger.info(
            "registration accepted",
            metadata: [
                "registrationId": "\(registrationID)", "enrollmentGroup": "\(group.id)",
                "operationId": "\(operation.operationID)",
            ])
        var headers: HTTPFields = [.retryAfter: String(configuration.retryAfterSeconds)]
        if let host = request.head.authority {
            headers[.location] = "http://\(host)/\(scope)/registrations/\(registrationID)/register"
        }
        return EmulatorHTTP.json(
            .accepted, ["operationId": .string(operation.operationID), "status": "assigning"], headers: headers)
    }

    /// The ID scope and registration id of the path, checked.
    static func ids(_ context: some RequestContext) throws -> (scope: String, registrationID: String) {
        guard let scope = EmulatorHTTP.parameter(context, "idScope"),
            let registrationID = EmulatorHTTP.parameter(context, "registrationId")
        else { throw DPSError.badRequest("The ID scope or registration id is missing.") }
        guard EnrollmentGroup.isValidID(registrationID) else {
            throw DPSError.badRequest(
                "The registration id is invalid: use at most 128 letters, digits and - . _ :, ending with a letter, "
                    + "a digit or -.")
        }
        return (scope, registrationID)
    }

    /// The enrollment group whose derived key signed the request's SAS token.
    ///
    /// Every group is tried (DPS finds a symmetric-key group the same way: by the key that
    /// verifies); a token whose signature matches but which fails another check (expiry, `sr`,
    /// `skn`) is refused with that reason.
    func authenticate(_ request: Request, scope: String, registrationID: String) async throws -> EnrollmentGroup {
        guard let header = request.headers[.authorization], !header.isEmpty else {
            throw DPSError.unauthorized(
                "The request has no Authorization header (SharedAccessSignature sr=…&sig=…&se=…&skn=registration).")
        }
        let token: SharedAccessSignature
        do {
            token = try SharedAccessSignature.parse(header)
        } catch {
            throw DPSError.unauthorized("The SharedAccessSignature token is malformed: \(error.detail)")
        }
        guard scope.lowercased() == configuration.idScope.lowercased() else {
            throw DPSError.unauthorized("The ID scope \(scope) is not this DPS instance's.")
        }
        let resource = "\(scope)/registrations/\(registrationID)"
        for group in try await enrollments.list() {
            var deviceKeys: [String] = []
            for key in group.keys {
                if let derived = try? SharedAccessSignature.deriveDeviceKey(
                    groupKey: key, registrationID: registrationID)
                {
                    deviceKeys.append(derived)
                }
            }
            do {
                try token.verify(keys: deviceKeys, resource: resource, keyName: "registration")
                return group
            } catch  where error.reason == .signatureMismatch {
                continue
            } catch {
                throw DPSError.unauthorized("The SharedAccessSignature token was refused: \(error.detail)")
            }
        }
        throw DPSError.unauthorized(
            "The SharedAccessSignature token is not signed with a device key derived from any enrollment group.")
    }
}
