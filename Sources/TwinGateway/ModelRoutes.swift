import ADTWire
import DTDL
import Foundation
import HTTPTypes
import Hummingbird
import TwinStore

/// Routes 1–5 of the ADT data plane: `POST /models`, `GET /models`, `GET /models/{id}`,
/// `PATCH /models/{id}` (decommission) and `DELETE /models/{id}`.
struct ModelRoutes: Sendable {
    /// ADT's cap on items per page of the model list (also the default).
    static let maxPageSize = 100

    let store: ModelStore
    let links: LinkBuilder
    let maxBodyBytes: Int

    func register(on group: RouterGroup<some RequestContext>) {
        group.post("models") { request, _ in try await add(request) }
        group.get("models") { request, _ in try await list(request) }
        group.get("models/{id}") { request, context in
            try await get(request, id: try Self.modelID(context.parameters.get("id")))
        }
        group.patch("models/{id}") { request, context in
            let id = try Self.modelID(context.parameters.get("id"))
            try await store.update(id, patch: try await ADTResponse.jsonBody(request, limit: maxBodyBytes))
            return ADTResponse.noContent()
        }
        group.delete("models/{id}") { _, context in
            try await store.delete(try Self.modelID(context.parameters.get("id")))
            return ADTResponse.noContent()
        }
    }

    func add(_ request: Request) async throws -> Response {
        let records = try await store.add(try await ADTResponse.jsonBody(request, limit: maxBodyBytes))
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, record) in records.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.write(record, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        return ADTResponse.json(.created, bytes: out)
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let includeDefinition = try Self.bool(
            query["includeModelDefinition"].map(String.init), name: "includeModelDefinition")
        let dependenciesFor = query[values: "dependenciesFor"].map(String.init)
        for id in dependenciesFor where DTMI(id) == nil { throw ServiceError.invalidModelID(id) }
        // The token carries the page size of the first request: SDKs send max-items-per-page
        // only once and then follow nextLink as it is.
        let token = try query["continuationToken"].map { try Self.decodeToken(String($0)) }
        let pageSize =
            request.headers[.maxItemsPerPage] == nil && token != nil
            ? token!.pageSize : try PageSize.of(request, cap: Self.maxPageSize)
        let after = token?.after
        let page = try await store.list(
            dependenciesFor: dependenciesFor, includeDefinition: includeDefinition, after: after, limit: pageSize)

        var out: [UInt8] = Array(#"{"value":["#.utf8)
        for (i, record) in page.models.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            Self.write(record, into: &out)
        }
        out.append(contentsOf: #"],"nextLink":"#.utf8)
        if let next = page.nextAfter {
            var parameters: [(String, String)] = [("includeModelDefinition", includeDefinition ? "True" : "False")]
            parameters += dependenciesFor.map { ("dependenciesFor", $0) }
            parameters.append(("continuationToken", ContinuationToken.encode(key: "\(next)/\(pageSize)")))
            JSONWriter.write(.string(links.url(request, path: "/models", parameters: parameters)), into: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return ADTResponse.json(bytes: out)
    }

    func get(_ request: Request, id: String) async throws -> Response {
        let includeDefinition = try Self.bool(
            request.uri.queryParameters["includeModelDefinition"].map(String.init), name: "includeModelDefinition")
        var out: [UInt8] = []
        Self.write(try await store.get(id, includeDefinition: includeDefinition), into: &out)
        return ADTResponse.json(bytes: out)
    }

    /// `after/pageSize` from a model-list token.
    static func decodeToken(_ token: String) throws -> (after: Int64, pageSize: Int) {
        let parts = try ContinuationToken.decodeKey(token).split(separator: "/")
        guard parts.count == 2, let after = Int64(parts[0]), after >= 0, let size = Int(parts[1]),
            (1...maxPageSize).contains(size)
        else { throw ContinuationToken.invalid }
        return (after, size)
    }

    /// A model item in ADT's key order: id, description, displayName, decommissioned,
    /// uploadTime, and the definition (as uploaded) when asked for.
    static func write(_ record: ModelRecord, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.write(.string(record.id), into: &out)
        out.append(contentsOf: #","description":"#.utf8)
        out.append(contentsOf: record.descriptionJSON.utf8)
        out.append(contentsOf: #","displayName":"#.utf8)
        out.append(contentsOf: record.displayNameJSON.utf8)
        out.append(contentsOf: #","decommissioned":"#.utf8)
        out.append(contentsOf: (record.decommissioned ? "true" : "false").utf8)
        out.append(contentsOf: #","uploadTime":"#.utf8)
        JSONWriter.write(.string(record.uploadTime), into: &out)
        if let definition = record.definitionJSON {
            out.append(contentsOf: #","model":"#.utf8)
            out.append(contentsOf: returned(definition))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A definition as ADT returns it: as uploaded, except that a `@context` given as one string
    /// comes back as an array of it (recorded: uploaded `"@context":"dtmi:dtdl:context;2"`, read
    /// back `"@context":["dtmi:dtdl:context;2"]`, every other member as sent, in its order).
    static func returned(_ definition: String) -> [UInt8] {
        guard case .object(var model)? = try? JSONParser.parse(definition),
            case .string(let context)? = model["@context"]
        else { return Array(definition.utf8) }
        model["@context"] = .array([.string(context)])
        return JSONWriter.bytes(.object(model))
    }

    /// A model id from the path (raw or percent-encoded), checked to be a DTMI.
    static func modelID(_ raw: String?) throws -> String {
        let text = raw.flatMap { $0.removingPercentEncoding ?? $0 } ?? ""
        guard DTMI(text) != nil else { throw ServiceError.invalidModelID(text) }
        return text
    }

    /// A boolean query parameter (`true`/`false` in any case; absent is false).
    static func bool(_ text: String?, name: String) throws -> Bool {
        guard let text else { return false }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ServiceError.invalidArgument("The value '\(text)' of parameter \(name) is not a boolean.")
        }
    }
}
