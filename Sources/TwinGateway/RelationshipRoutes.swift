import ADTWire
import DTDL
import Foundation
import HTTPTypes
import Hummingbird
import TwinStore

/// Routes 11–16 of the ADT data plane: relationships (`GET`, `PUT`, `PATCH`, `DELETE
/// /digitaltwins/{id}/relationships/{relationshipId}`), the outgoing list and the incoming list.
struct RelationshipRoutes: Sendable {
    let store: RelationshipStore
    let links: LinkBuilder
    let maxBodyBytes: Int

    func register(on group: RouterGroup<some RequestContext>) {
        group.get("digitaltwins/{id}/relationships/{relationshipId}") { _, context in
            let stored = try await store.get(
                source: try TwinRoutes.pathID(context, "id"), id: try TwinRoutes.pathID(context, "relationshipId"))
            return ADTResponse.json(bytes: Array(stored.body.utf8), headers: [.eTag: stored.etag])
        }
        group.put("digitaltwins/{id}/relationships/{relationshipId}") { request, context in
            let stored = try await store.put(
                source: try TwinRoutes.pathID(context, "id"), id: try TwinRoutes.pathID(context, "relationshipId"),
                body: try await body(request), ifNoneMatch: try TwinRoutes.ifNoneMatch(request))
            return ADTResponse.json(bytes: Array(stored.body.utf8), headers: [.eTag: stored.etag])
        }
        group.patch("digitaltwins/{id}/relationships/{relationshipId}") { request, context in
            let etag = try await store.patch(
                source: try TwinRoutes.pathID(context, "id"), id: try TwinRoutes.pathID(context, "relationshipId"),
                patch: try await body(request), ifMatch: try TwinRoutes.ifMatch(request))
            return ADTResponse.noContent(headers: [.eTag: etag])
        }
        group.delete("digitaltwins/{id}/relationships/{relationshipId}") { request, context in
            try await store.delete(
                source: try TwinRoutes.pathID(context, "id"), id: try TwinRoutes.pathID(context, "relationshipId"),
                ifMatch: try TwinRoutes.ifMatch(request))
            return ADTResponse.noContent()
        }
        group.get("digitaltwins/{id}/relationships") { request, context in try await outgoing(request, context) }
        group.get("digitaltwins/{id}/incomingrelationships") { request, context in try await incoming(request, context)
        }
    }

    func body(_ request: Request) async throws -> JSONValue {
        try await ADTResponse.instanceBody(request, limit: maxBodyBytes)
    }

    func outgoing(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let source = try TwinRoutes.pathID(context, "id")
        let query = request.uri.queryParameters
        let name = query["relationshipName"].map(String.init)
        let after = try query["continuationToken"].map { try ContinuationToken.decodeKey(String($0)) }
        let page = try await store.outgoing(of: source, name: name, after: after)
        var parameters: [(String, String)] = []
        if let name { parameters.append(("relationshipName", name)) }
        let next = page.next.map {
            links.url(
                request, path: "/digitaltwins/\(LinkBuilder.encode(source))/relationships",
                parameters: parameters + [("continuationToken", ContinuationToken.encode(key: $0))])
        }
        return ADTResponse.json(bytes: Self.listBody(next: next, items: page.items))
    }

    func incoming(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let target = try TwinRoutes.pathID(context, "id")
        let after = try request.uri.queryParameters["continuationToken"].map { token -> (id: String, source: String) in
            let key = try ContinuationToken.decodeKey(String(token))
            let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ContinuationToken.invalid }
            return (String(parts[0]), String(parts[1]))
        }
        let page = try await store.incoming(to: target, after: after)
        let items = page.items.map { item -> String in
            var o = JSONObject()
            o["$relationshipId"] = .string(item.id)
            o["$sourceId"] = .string(item.sourceID)
            o["$relationshipName"] = .string(item.name)
            o["$relationshipLink"] = .string(
                links.url(
                    request,
                    path:
                        "/digitaltwins/\(LinkBuilder.encode(item.sourceID))/relationships/\(LinkBuilder.encode(item.id))",
                    parameters: []))
            return JSONWriter.string(.object(o))
        }
        let next = page.next.map {
            links.url(
                request, path: "/digitaltwins/\(LinkBuilder.encode(target))/incomingrelationships",
                parameters: [("continuationToken", ContinuationToken.encode(key: "\($0.id)\u{0}\($0.source)"))])
        }
        return ADTResponse.json(bytes: Self.listBody(next: next, items: items))
    }

    /// `{"nextLink":…,"value":[…]}`: relationship lists put `nextLink` first (as recorded).
    static func listBody(next: String?, items: [String]) -> [UInt8] {
        var out: [UInt8] = Array(#"{"nextLink":"#.utf8)
        if let next { JSONWriter.write(.string(next), into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","value":["#.utf8)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.utf8)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}
