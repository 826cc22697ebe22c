import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct RelationshipRoutesTests {
    static let v = GatewayTest.version
    static let models = """
        [{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Space;1","@type":"Interface","contents":[
           {"@type":"Relationship","name":"contains","target":"dtmi:ex:Space;1","properties":[{"@type":"Property","name":"since","schema":"dateTime"}]},
           {"@type":"Relationship","name":"servedBy"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Room;1","@type":"Interface","extends":"dtmi:ex:Space;1"},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Device;1","@type":"Interface"}]
        """

    static func withTwins(_ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            #expect(try await http.send(.post, "/models?\(v)", models).status == .created)
            for (id, model) in [("floor", "Space"), ("room1", "Room"), ("room2", "Room"), ("dev", "Device")] {
                let put = try await http.send(
                    .put, "/digitaltwins/\(id)?\(v)", #"{"$metadata":{"$model":"dtmi:ex:\#(model);1"}}"#)
                #expect(put.status == .ok)
            }
            try await body(http)
        }
    }

    @Test func createReadPatchDeleteInADTShape() async throws {
        try await Self.withTwins { http in
            let put = try await http.send(
                .put, "/digitaltwins/floor/relationships/r1?\(Self.v)",
                #"{"$targetId":"room1","$relationshipName":"contains","since":"2024-01-01T00:00:00Z"}"#)
            #expect(put.status == .ok)
            let body = try GatewayTest.json(put)
            #expect(
                body.objectValue?.keys == [
                    "$relationshipId", "$etag", "$sourceId", "$relationshipName", "$targetId", "since",
                ])
            let etag = try #require(put.headers[.eTag])
            #expect(body["$etag"]?.stringValue == etag)

            let got = try await http.send(.get, "/digitaltwins/floor/relationships/r1?\(Self.v)")
            #expect(try GatewayTest.json(got) == body)
            let patched = try await http.send(
                .patch, "/digitaltwins/floor/relationships/r1?\(Self.v)", #"[{"op":"remove","path":"/since"}]"#,
                headers: [.ifMatch: etag])
            #expect(patched.status == .noContent)
            let stale = try await http.send(
                .delete, "/digitaltwins/floor/relationships/r1?\(Self.v)", headers: [.ifMatch: etag])
            #expect(stale.status == .preconditionFailed)
            let again = try await http.send(
                .put, "/digitaltwins/floor/relationships/r1?\(Self.v)",
                #"{"$targetId":"room2","$relationshipName":"contains"}"#,
                headers: [.ifNoneMatch: "*"])
            #expect(again.status == .preconditionFailed)
            #expect(try await http.send(.delete, "/digitaltwins/floor/relationships/r1?\(Self.v)").status == .noContent)
            let gone = try await http.send(.get, "/digitaltwins/floor/relationships/r1?\(Self.v)")
            #expect(gone.status == .notFound)
            #expect(try GatewayTest.errorCode(gone) == "RelationshipNotFound")
        }
    }

    @Test(arguments: [
        ("floor", #"{"$targetId":"nobody","$relationshipName":"contains"}"#, 404, "TargetDigitalTwinNotFound"),
        ("nobody", #"{"$targetId":"room1","$relationshipName":"contains"}"#, 404, "DigitalTwinNotFound"),
        ("floor", #"{"$targetId":"floor","$relationshipName":"contains"}"#, 400, "OperationNotAllowed"),
        ("floor", #"{"$targetId":"dev","$relationshipName":"contains"}"#, 400, "ValidationFailed"),
        ("floor", #"{"$targetId":"room1","$relationshipName":"owns"}"#, 400, "ValidationFailed"),
        ("floor", #"{"$targetId":"room1","$relationshipName":"contains","since":"never"}"#, 400, "ValidationFailed"),
        ("dev", #"{"$targetId":"room1","$relationshipName":"contains"}"#, 400, "ValidationFailed"),
    ])
    func invalidRelationshipsAreRefused(_ source: String, _ body: String, _ status: Int, _ code: String) async throws {
        try await Self.withTwins { http in
            let response = try await http.send(.put, "/digitaltwins/\(source)/relationships/bad?\(Self.v)", body)
            #expect(response.status.code == status)
            #expect(try GatewayTest.errorCode(response) == code)
        }
    }

    @Test func inheritedRelationshipsAndUntypedTargets() async throws {
        try await Self.withTwins { http in
            // Room inherits 'contains' (target Space, which Room derives from) and 'servedBy' (any target).
            let derived = try await http.send(
                .put, "/digitaltwins/room1/relationships/a?\(Self.v)",
                #"{"$targetId":"room2","$relationshipName":"contains"}"#)
            #expect(derived.status == .ok)
            let anyTarget = try await http.send(
                .put, "/digitaltwins/room1/relationships/b?\(Self.v)",
                #"{"$targetId":"dev","$relationshipName":"servedBy"}"#)
            #expect(anyTarget.status == .ok)
        }
    }

    @Test func listsPageByTenInIdOrderWithNameFilterAndIncoming() async throws {
        try await Self.withTwins { http in
            for i in (0..<21).reversed() {
                let target = i.isMultiple(of: 2) ? "room1" : "room2"
                let name = i < 5 ? "servedBy" : "contains"
                let put = try await http.send(
                    .put, "/digitaltwins/floor/relationships/rel\(String(format: "%02d", i))?\(Self.v)",
                    #"{"$targetId":"\#(target)","$relationshipName":"\#(name)"}"#)
                #expect(put.status == .ok)
            }
            var ids: [String] = []
            var uri: String? = "/digitaltwins/floor/relationships?\(Self.v)"
            var sizes: [Int] = []
            while let next = uri {
                let body = try GatewayTest.json(try await http.send(.get, next))
                #expect(body.objectValue?.keys == ["nextLink", "value"])
                let items = body["value"]?.arrayValue ?? []
                sizes.append(items.count)
                ids += items.compactMap { $0["$relationshipId"]?.stringValue }
                uri = body["nextLink"]?.stringValue.map { String($0[$0.range(of: "/digitaltwins")!.lowerBound...]) }
            }
            #expect(sizes == [10, 10, 1])
            #expect(ids == (0..<21).map { "rel\(String(format: "%02d", $0))" })

            let named = try GatewayTest.json(
                try await http.send(.get, "/digitaltwins/floor/relationships?\(Self.v)&relationshipName=servedBy"))
            #expect(named["value"]?.arrayValue?.count == 5)
            #expect(named["nextLink"] == .null)

            let incoming = try GatewayTest.json(
                try await http.send(.get, "/digitaltwins/room1/incomingrelationships?\(Self.v)"))
            let first = try #require(incoming["value"]?.arrayValue?.first)
            #expect(
                first.objectValue?.keys == ["$relationshipId", "$sourceId", "$relationshipName", "$relationshipLink"])
            #expect(
                first["$relationshipLink"]?.stringValue?.hasSuffix("/digitaltwins/floor/relationships/rel00?\(Self.v)")
                    == true)
            #expect(incoming["nextLink"]?.stringValue != nil)  // 11 incoming: two pages

            let missing = try await http.send(.get, "/digitaltwins/nobody/relationships?\(Self.v)")
            #expect(try GatewayTest.errorCode(missing) == "DigitalTwinNotFound")
        }
    }

    @Test func aTwinWithRelationshipsIsDeletedOnlyWithCascade() async throws {
        try await Self.withTwins { http in
            _ = try await http.send(
                .put, "/digitaltwins/floor/relationships/r1?\(Self.v)",
                #"{"$targetId":"room1","$relationshipName":"contains"}"#)
            _ = try await http.send(
                .put, "/digitaltwins/room2/relationships/r2?\(Self.v)",
                #"{"$targetId":"room1","$relationshipName":"contains"}"#)
            // room1 has incoming relationships only; floor outgoing only.
            for twin in ["room1", "floor"] {
                let refused = try await http.send(.delete, "/digitaltwins/\(twin)?\(Self.v)")
                #expect(refused.status == .badRequest)
                #expect(try GatewayTest.errorCode(refused) == "RelationshipsNotDeleted")
            }
            #expect(try await http.send(.delete, "/digitaltwins/room1?\(Self.v)&cascade=true").status == .noContent)
            #expect(try await http.send(.get, "/digitaltwins/floor/relationships/r1?\(Self.v)").status == .notFound)
            #expect(try await http.send(.get, "/digitaltwins/room2/relationships/r2?\(Self.v)").status == .notFound)
            #expect(try await http.send(.delete, "/digitaltwins/floor?\(Self.v)").status == .noContent)
        }
    }
}
