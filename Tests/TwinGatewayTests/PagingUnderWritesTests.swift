import ADTWire
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

/// `nextLink` paging of models and relationships while they are written between the pages:
/// what exists throughout is listed exactly once, nothing twice, and what was deleted before its
/// page came never appears.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct PagingUnderWritesTests {
    static let v = GatewayTest.version

    static func model(_ id: String) -> String {
        #"{"@context":"dtmi:dtdl:context;3","@id":"\#(id)","@type":"Interface"}"#
    }

    /// Follows `nextLink` from `first` (the page size in the first request only, as the SDKs
    /// do), running `between` after each page; returns the ids of every page in order.
    static func pages(
        _ http: any TestClientProtocol, from first: String, prefix: String, size: Int, id: String,
        between: (Int) async throws -> Void
    ) async throws -> [String] {
        var seen: [String] = []
        var uri: String? = first
        var page = 0
        while let next = uri {
            let headers: HTTPFields = page == 0 ? [HTTPField.Name("max-items-per-page")!: "\(size)"] : [:]
            let response = try await http.send(.get, next, headers: headers)
            #expect(response.status == .ok)
            let body = try GatewayTest.json(response)
            seen += (body["value"]?.arrayValue ?? []).compactMap { $0[id]?.stringValue }
            uri = body["nextLink"]?.stringValue.map { String($0[$0.range(of: prefix)!.lowerBound...]) }
            page += 1
            try await between(page)
        }
        return seen
    }

    @Test func modelsArePagedOnceWhileUploadsAndDeletesGoOn() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let old = (0..<24).map { "dtmi:ex:M\(String(format: "%02d", $0));1" }
            let upload = "[\(old.map(Self.model).joined(separator: ","))]"
            #expect(try await http.send(.post, "/models?\(Self.v)", upload).status == .created)
            var added: [String] = []
            var deletedUnseen: [String] = []
            let seen = try await Self.pages(http, from: "/models?\(Self.v)", prefix: "/models", size: 4, id: "id") {
                (page: Int) async throws in
                // Between the first three pages: two new models, and one old model not listed yet
                // deleted (the last ones: pages of four have reached M11 by then). Later pages
                // run undisturbed, so that the listing ends.
                guard page <= 3 else { return }
                for n in 0..<2 {
                    let id = "dtmi:ex:N\(page)x\(n);1"
                    #expect(try await http.send(.post, "/models?\(Self.v)", "[\(Self.model(id))]").status == .created)
                    added.append(id)
                }
                let victim = old[old.count - page]
                #expect(try await http.send(.delete, "/models/\(victim)?\(Self.v)").status == .noContent)
                deletedUnseen.append(victim)
            }
            #expect(seen.count == Set(seen).count, "a model was listed twice: \(seen)")
            let throughout = Set(old).subtracting(deletedUnseen)
            #expect(throughout.isSubset(of: Set(seen)), "missing: \(throughout.subtracting(seen))")
            #expect(Set(seen).isDisjoint(with: deletedUnseen), "listed after deletion")
            #expect(Set(seen).isSubset(of: Set(old + added)))
        }
    }

    @Test func relationshipsArePagedOnceWhileOthersAreCreatedAndDeleted() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let model =
                #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Node;1","@type":"Interface","contents":[{"@type":"Relationship","name":"link"}]}"#
            #expect(try await http.send(.post, "/models?\(Self.v)", "[\(model)]").status == .created)
            for id in ["hub", "target"] {
                #expect(
                    try await http.send(
                        .put, "/digitaltwins/\(id)?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Node;1"}}"#
                    )
                    .status == .ok)
            }
            func put(_ id: String) async throws {
                let body = #"{"$targetId":"target","$relationshipName":"link"}"#
                #expect(
                    try await http.send(.put, "/digitaltwins/hub/relationships/\(id)?\(Self.v)", body).status == .ok)
            }
            let old = (0..<30).map { "r\(String(format: "%02d", $0))" }
            for id in old { try await put(id) }
            var deleted: [String] = []
            var added: [String] = []
            let seen = try await Self.pages(
                http, from: "/digitaltwins/hub/relationships?\(Self.v)", prefix: "/digitaltwins", size: 10,
                id: "$relationshipId"
            ) { page in
                // Between the first two pages: one id before the listed ones, one after, and the
                // last old one deleted (not listed yet). Later pages run undisturbed.
                guard page <= 2 else { return }
                for id in ["a\(page)", "z\(page)"] {
                    try await put(id)
                    added.append(id)
                }
                let victim = old[old.count - page]
                #expect(
                    try await http.send(.delete, "/digitaltwins/hub/relationships/\(victim)?\(Self.v)").status
                        == .noContent)
                deleted.append(victim)
            }
            #expect(seen.count == Set(seen).count, "a relationship was listed twice: \(seen)")
            let throughout = Set(old).subtracting(deleted)
            #expect(throughout.isSubset(of: Set(seen)), "missing: \(throughout.subtracting(seen))")
            // Deleted before their page came (the last ones, in id order): never listed.
            #expect(Set(seen).isDisjoint(with: deleted), "listed after deletion: \(Set(seen).intersection(deleted))")
            #expect(Set(seen).isSubset(of: Set(old + added)))
        }
    }
}
