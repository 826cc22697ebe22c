import ADTWire
import DTDL
import DeviceLifecycle
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The DPS emulator's management API for enrollment groups, in DPS's service API shapes:
///
/// - `PUT /enrollmentGroups/{id}`: create or replace (optional `If-Match`); 200 with the group;
/// - `GET /enrollmentGroups/{id}`: 200 with the group (keys included), 404 otherwise;
/// - `DELETE /enrollmentGroups/{id}`: 204 (optional `If-Match`);
/// - `GET /enrollmentGroups` and `POST /enrollmentGroups/query`: every group, as an array.
///
/// Guarded by the emulator's service key (see ``EmulatorConfiguration/serviceKey``).
struct DPSServiceRoutes: Sendable {
    let serviceKey: String?
    let enrollments: EnrollmentStore
    let logger: Logger

    func register(on router: Router<some RequestContext>) {
        router.put("enrollmentGroups/{id}") { request, context in
            try authorize(request)
            let id = try Self.id(context)
            guard let body = await EmulatorHTTP.body(request, limit: DPSRoutes.maxBodyBytes) else {
                throw DPSError.tooLarge
            }
            let group: EnrollmentGroup
            do {
                group = try EnrollmentGroup(json: try JSONParser.parse(body), id: id)
            } catch let error as EmulatorConfigurationError {
                throw DPSError.badRequest(error.message)
            } catch {
                throw DPSError.badRequest("The request body is not JSON.")
            }
            do {
                let stored = try await enrollments.put(group, ifMatch: request.headers[.ifMatch])
                logger.info("enrollment group stored", metadata: ["enrollmentGroup": "\(id)"])
                return EmulatorHTTP.json(.ok, stored.json(), headers: [.eTag: stored.etag ?? ""])
            } catch EnrollmentStore.WriteError.preconditionFailed {
                throw DPSError.preconditionFailed("The enrollment group \(id) does not have the etag in If-Match.")
            }
        }
        router.get("enrollmentGroups/{id}") { request, context in
            try authorize(request)
            let id = try Self.id(context)
            guard let group = try await enrollments.get(id) else {
                throw DPSError.notFound("The enrollment group \(id) was not found.")
            }
            return EmulatorHTTP.json(.ok, group.json(), headers: [.eTag: group.etag ?? ""])
        }
        router.delete("enrollmentGroups/{id}") { request, context in
            try authorize(request)
            let id = try Self.id(context)
            do {
                guard try await enrollments.delete(id, ifMatch: request.headers[.ifMatch]) else {
                    throw DPSError.notFound("The enrollment group \(id) was not found.")
                }
            } catch EnrollmentStore.WriteError.preconditionFailed {
                throw DPSError.preconditionFailed("The enrollment group \(id) does not have the etag in If-Match.")
            }
            logger.info("enrollment group deleted", metadata: ["enrollmentGroup": "\(id)"])
            return EmulatorHTTP.empty(.noContent)
        }
        router.get("enrollmentGroups") { request, _ in
            try authorize(request)
            return EmulatorHTTP.json(.ok, .array(try await enrollments.list().map { $0.json() }))
        }
        router.post("enrollmentGroups/query") { request, _ in
            try authorize(request)
            return EmulatorHTTP.json(.ok, .array(try await enrollments.list().map { $0.json() }))
        }
    }

    static func id(_ context: some RequestContext) throws -> String {
        guard let id = EmulatorHTTP.parameter(context, "id") else {
            throw DPSError.badRequest("The enrollment group id is missing.")
        }
        return id
    }

    func authorize(_ request: Request) throws {
        guard let serviceKey else { return }
        guard ServiceKeyAuthorization.accepts(request.headers[.authorization], serviceKey: serviceKey) else {
            throw DPSError.unauthorized(
                "The enrollment API needs the emulator's service key (Authorization: Bearer <key>, or a "
                    + "SharedAccessSignature signed with it).")
        }
    }
}

/// The emulator's service key in an `Authorization` header.
enum ServiceKeyAuthorization {
    /// Whether `header` is `Bearer <serviceKey>` or a valid, unexpired `SharedAccessSignature`
    /// token signed with the service key (any `sr`, any `skn`).
    static func accepts(_ header: String?, serviceKey: String) -> Bool {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return false }
        if header.lowercased().hasPrefix("bearer ") {
            return ConstantTime.equal(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), serviceKey)
        }
        guard let token = try? SharedAccessSignature.parse(header) else { return false }
        return (try? token.verify(keys: [serviceKey])) != nil
    }
}
