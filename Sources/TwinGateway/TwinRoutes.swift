import ADTWire
import DTDL
import Foundation
import HTTPTypes
import Hummingbird
import TwinStore

/// Routes 7–10, 19 and 20 of the ADT data plane: twins (`GET`, `PUT`, `PATCH`, `DELETE
/// /digitaltwins/{id}`) and their components (`GET`, `PATCH .../components/{component}`).
struct TwinRoutes: Sendable {
    let store: DigitalTwinStore
    let maxBodyBytes: Int

    func register(on group: RouterGroup<some RequestContext>) {
        group.get("digitaltwins/{id}") { request, context in
            try Self.twinResponse(try await store.get(try Self.pathID(context, "id")), request)
        }
        group.put("digitaltwins/{id}") { request, context in
            let id = try Self.pathID(context, "id")
            let ifNoneMatch = try Self.ifNoneMatch(request)
            let body = try await twinBody(request)
            return try Self.twinResponse(try await store.put(id, body: body, ifNoneMatch: ifNoneMatch), request)
        }
        group.patch("digitaltwins/{id}") { request, context in
            let etag = try await store.patch(
                try Self.pathID(context, "id"), patch: try await twinBody(request), ifMatch: try Self.ifMatch(request))
            return ADTResponse.noContent(headers: [.eTag: etag])
        }
        group.delete("digitaltwins/{id}") { request, context in
            // `cascade=true` (an extension to ADT) deletes the twin's relationships with it.
            let cascade = try ModelRoutes.bool(request.uri.queryParameters["cascade"].map(String.init), name: "cascade")
            try await store.delete(try Self.pathID(context, "id"), ifMatch: try Self.ifMatch(request), cascade: cascade)
            return ADTResponse.noContent()
        }
        group.get("digitaltwins/{id}/components/{component}") { request, context in
            let (component, etag) = try await store.component(
                try Self.pathID(context, "component"), of: try Self.pathID(context, "id"))
            let body =
                try APIVersion.of(request).hasLastUpdateTime
                ? component : TwinStoreOutput.withoutLastUpdateTime(component)
            return ADTResponse.json(.ok, .object(body), headers: [.eTag: etag])
        }
        group.post("digitaltwins/{id}/telemetry") { request, context in
            try await telemetry(request, id: try Self.pathID(context, "id"), component: nil)
        }
        group.post("digitaltwins/{id}/components/{component}/telemetry") { request, context in
            try await telemetry(
                request, id: try Self.pathID(context, "id"), component: try Self.pathID(context, "component"))
        }
        group.patch("digitaltwins/{id}/components/{component}") { request, context in
            let etag = try await store.patch(
                try Self.pathID(context, "id"), component: try Self.pathID(context, "component"),
                patch: try await twinBody(request), ifMatch: try Self.ifMatch(request))
            return ADTResponse.noContent(headers: [.eTag: etag])
        }
    }

    /// `POST .../telemetry`: `Message-Id` is required, `Telemetry-Source-Time` passed on as
    /// given (SDKs send it in many formats, all accepted by ADT).
    func telemetry(_ request: Request, id: String, component: String?) async throws -> Response {
        guard let messageID = request.headers[.messageID], !messageID.isEmpty else {
            throw ServiceError.invalidArgument("The Message-Id header is required to send telemetry.")
        }
        let payload = try await twinBody(request)
        try await store.sendTelemetry(
            id, component: component, payload: payload, messageID: messageID,
            sourceTime: request.headers[.telemetrySourceTime])
        return ADTResponse.noContent()
    }

    /// The stored twin as the request's api-version shows it: sent as stored (no decoding) from
    /// 2022-05-31 on, without `$lastUpdateTime` before.
    static func twinResponse(_ stored: DigitalTwinStore.Stored, _ request: Request) throws -> Response {
        let bytes: [UInt8] =
            try APIVersion.of(request).hasLastUpdateTime
            ? Array(stored.body.utf8)
            : JSONWriter.bytes(
                .object(
                    TwinStoreOutput.withoutLastUpdateTime(try JSONParser.parse(stored.body).objectValue ?? JSONObject())
                ))
        return ADTResponse.json(bytes: bytes, headers: [.eTag: stored.etag])
    }

    func twinBody(_ request: Request) async throws -> JSONValue {
        try await ADTResponse.instanceBody(request, limit: maxBodyBytes)
    }

    /// A path parameter, percent-decoded.
    static func pathID(_ context: some RequestContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), !raw.isEmpty else {
            throw ServiceError.invalidArgument("The \(name) in the path is missing.")
        }
        guard raw.contains("%") else { return raw }
        return raw.removingPercentEncoding ?? raw
    }

    static func ifMatch(_ request: Request) throws -> ETagCondition? {
        try request.headers[.ifMatch].map { try ETagCondition(ifMatch: $0) }
    }

    static func ifNoneMatch(_ request: Request) throws -> Bool {
        guard let value = request.headers[.ifNoneMatch] else { return false }
        guard value.trimmingCharacters(in: .whitespaces) == "*" else {
            throw ServiceError.invalidArgument("Invalid If-None-Match header value. Allowed value(s): If-None-Match: *")
        }
        return true
    }
}
