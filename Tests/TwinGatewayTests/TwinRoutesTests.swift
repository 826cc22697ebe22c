import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct TwinRoutesTests {
    static let v = GatewayTest.version
    static let models = """
        [{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Thermo;1","@type":"Interface","contents":[
           {"@type":"Property","name":"temp","schema":"double"},{"@type":"Property","name":"name","schema":"string"}]},
         {"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Thermo;2","@type":"Interface","contents":[
           {"@type":"Property","name":"temp","schema":"double"},{"@type":"Property","name":"unit","schema":"string"}]},
         {"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Ctl;1","@type":"Interface","contents":[
           {"@type":"Component","name":"t1","schema":"dtmi:ex:Thermo;1"},{"@type":"Property","name":"serial","schema":"string"}]}]
        """
    static let ifMatch = HTTPField.Name.ifMatch
    static let ifNoneMatch = HTTPField.Name.ifNoneMatch

    static func withModels(_ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        try await GatewayTest.withGateways { gateways in
            let created = try await gateways[0].send(.post, "/models?\(v)", models)
            #expect(created.status == .created)
            try await body(gateways[0])
        }
    }

    @Test func createReadReplaceInADTShape() async throws {
        try await Self.withModels { http in
            let put = try await http.send(
                .put, "/digitaltwins/t1?\(Self.v)",
                #"{"$dtId":"ignored","$metadata":{"$model":"dtmi:ex:Thermo;1","temp":{"sourceTime":"2024-01-01T00:00:00Z"}},"name":"n","temp":21}"#
            )
            #expect(put.status == .ok)
            let twin = try GatewayTest.json(put)
            #expect(twin.objectValue?.keys == ["$dtId", "$etag", "name", "temp", "$metadata"])
            #expect(twin["$dtId"] == "t1")
            let etag = try #require(put.headers[.eTag])
            #expect(twin["$etag"]?.stringValue == etag)
            #expect(etag.hasPrefix("W/\"") && etag.count == 40)
            let metadata = try #require(twin["$metadata"]?.objectValue)
            #expect(metadata.keys == ["$model", "$lastUpdateTime", "name", "temp"])
            let time = try #require(metadata["$lastUpdateTime"]?.stringValue)
            #expect(time.count == 28 && time.hasSuffix("Z"), "\(time)")  // 7 fractional digits
            #expect(metadata["temp"]?["sourceTime"] == "2024-01-01T00:00:00Z")

            let got = try await http.send(.get, "/digitaltwins/t1?\(Self.v)")
            #expect(got.status == .ok)
            #expect(got.headers[.eTag] == etag)
            #expect(try GatewayTest.json(got) == twin)
            // Before 2022-05-31 there is no $lastUpdateTime.
            let old = try await http.send(.get, "/digitaltwins/t1?api-version=2020-10-31")
            #expect(try GatewayTest.json(old)["$metadata"]?["$lastUpdateTime"] == nil)

            let conditional = try await http.send(
                .put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#,
                headers: [Self.ifNoneMatch: "*"])
            #expect(conditional.status == .preconditionFailed)
            #expect(try GatewayTest.errorCode(conditional) == "PreconditionFailed")
            let badHeader = try await http.send(
                .put, "/digitaltwins/t2?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#,
                headers: [Self.ifNoneMatch: "W/\"x\""])
            #expect(try GatewayTest.errorCode(badHeader) == "InvalidArgument")

            let replaced = try await http.send(
                .put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"},"temp":5}"#)
            #expect(replaced.status == .ok)
            #expect(try GatewayTest.json(replaced)["name"] == nil)
            #expect(replaced.headers[.eTag] != etag)
        }
    }

    @Test(arguments: [
        (#"{"$metadata":{"$model":"dtmi:ex:Thermo;1"},"temp":"hot"}"#, "ValidationFailed"),
        (#"{"$metadata":{"$model":"dtmi:ex:Thermo;1"},"colour":"red"}"#, "ValidationFailed"),
        (#"{"$metadata":{"$model":"dtmi:ex:Nope;1"}}"#, "ValidationFailed"),
        (#"{"$metadata":{"$model":"dtmi:ex:Ctl;1"}}"#, "ValidationFailed"),
        (#"[{}]"#, "InvalidArgument"),
    ])
    func invalidTwinsAreRefusedAndNothingIsStored(_ body: String, _ code: String) async throws {
        try await Self.withModels { http in
            let response = try await http.send(.put, "/digitaltwins/bad?\(Self.v)", body)
            #expect(response.status == .badRequest)
            #expect(try GatewayTest.errorCode(response) == code)
            if code == "ValidationFailed" {
                let error = try GatewayTest.json(response)["error"]
                #expect(error?["message"] == "Invalid twin specified")
                #expect(error?["details"]?.arrayValue?.first?["message"]?.stringValue?.isEmpty == false)
            }
            #expect(try await http.send(.get, "/digitaltwins/bad?\(Self.v)").status == .notFound)
        }
    }

    @Test func patchWithIfMatchAndModelMigration() async throws {
        try await Self.withModels { http in
            let put = try await http.send(
                .put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"},"temp":21,"name":"a"}"#
            )
            let etag = try #require(put.headers[.eTag])
            let patch = #"[{"op":"replace","path":"/temp","value":22.5}]"#
            let patched = try await http.send(
                .patch, "/digitaltwins/t1?\(Self.v)", patch, headers: [Self.ifMatch: etag])
            #expect(patched.status == .noContent)
            let newETag = try #require(patched.headers[.eTag])
            #expect(newETag != etag)
            let stale = try await http.send(.patch, "/digitaltwins/t1?\(Self.v)", patch, headers: [Self.ifMatch: etag])
            #expect(stale.status == .preconditionFailed)
            let star = try await http.send(.patch, "/digitaltwins/t1?\(Self.v)", patch, headers: [Self.ifMatch: "*"])
            #expect(star.status == .noContent)
            let malformed = try await http.send(
                .patch, "/digitaltwins/t1?\(Self.v)", patch, headers: [Self.ifMatch: "XXX"])
            #expect(try GatewayTest.errorCode(malformed) == "InvalidArgument")

            for (bad, code) in [
                (#"[{"op":"move","from":"/temp","path":"/name"}]"#, "JsonPatchInvalid"),
                // RFC 6902: nothing to replace
                (#"[{"op":"replace","path":"/missing","value":1}]"#, "JsonPatchInvalid"),
                (#"[{"op":"replace","path":"/temp","value":"x"}]"#, "ValidationFailed"),
            ] {
                let response = try await http.send(.patch, "/digitaltwins/t1?\(Self.v)", bad)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(try GatewayTest.errorCode(response) == code, "\(bad)")
            }
            // Moving to version 2 needs the name gone (v2 has no 'name') in the same patch.
            let refused = try await http.send(
                .patch, "/digitaltwins/t1?\(Self.v)",
                #"[{"op":"replace","path":"/$metadata/$model","value":"dtmi:ex:Thermo;2"}]"#)
            #expect(refused.status == .badRequest)
            let migrated = try await http.send(
                .patch, "/digitaltwins/t1?\(Self.v)",
                #"[{"op":"replace","path":"/$metadata/$model","value":"dtmi:ex:Thermo;2"},{"op":"remove","path":"/name"},{"op":"add","path":"/unit","value":"C"}]"#
            )
            #expect(migrated.status == .noContent)
            let twin = try GatewayTest.json(try await http.send(.get, "/digitaltwins/t1?\(Self.v)"))
            #expect(twin["$metadata"]?["$model"] == "dtmi:ex:Thermo;2")
            #expect(twin["unit"] == "C" && twin["name"] == nil && twin["temp"] == .double(22.5))
        }
    }

    @Test func componentsAreReadAndPatched() async throws {
        try await Self.withModels { http in
            let put = try await http.send(
                .put, "/digitaltwins/c1?\(Self.v)",
                #"{"$metadata":{"$model":"dtmi:ex:Ctl;1"},"t1":{"$metadata":{},"temp":1.5},"serial":"x"}"#)
            #expect(put.status == .ok)
            let component = try await http.send(.get, "/digitaltwins/c1/components/t1?\(Self.v)")
            #expect(component.status == .ok)
            #expect(component.headers[.eTag] == put.headers[.eTag])
            let body = try GatewayTest.json(component)
            #expect(body.objectValue?.keys == ["temp", "$metadata"])
            #expect(body["$metadata"]?["$lastUpdateTime"] != nil)
            let old = try await http.send(.get, "/digitaltwins/c1/components/t1?api-version=2020-10-31")
            #expect(try GatewayTest.json(old)["$metadata"]?["$lastUpdateTime"] == nil)
            let oldTwin = try await http.send(.get, "/digitaltwins/c1?api-version=2020-10-31")
            #expect(try GatewayTest.json(oldTwin)["t1"]?["$metadata"]?["$lastUpdateTime"] == nil)
            let patched = try await http.send(
                .patch, "/digitaltwins/c1/components/t1?\(Self.v)", #"[{"op":"add","path":"/name","value":"inner"}]"#)
            #expect(patched.status == .noContent)
            #expect(
                try GatewayTest.json(try await http.send(.get, "/digitaltwins/c1?\(Self.v)"))["t1"]?["name"] == "inner")
            let missing = try await http.send(.get, "/digitaltwins/c1/components/t9?\(Self.v)")
            #expect(missing.status == .notFound)
            #expect(try GatewayTest.errorCode(missing) == "ComponentNotFound")
        }
    }

    @Test func deleteWithIfMatchAndNotFound() async throws {
        try await Self.withModels { http in
            let put = try await http.send(
                .put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#)
            let stale = try await http.send(
                .delete, "/digitaltwins/t1?\(Self.v)",
                headers: [Self.ifMatch: "W/\"00000000-0000-0000-0000-000000000000\""])
            #expect(stale.status == .preconditionFailed)
            let deleted = try await http.send(
                .delete, "/digitaltwins/t1?\(Self.v)", headers: [Self.ifMatch: put.headers[.eTag]!])
            #expect(deleted.status == .noContent)
            for method in [HTTPRequest.Method.get, .delete] {
                let gone = try await http.send(method, "/digitaltwins/t1?\(Self.v)")
                #expect(gone.status == .notFound)
                #expect(try GatewayTest.errorCode(gone) == "DigitalTwinNotFound")
            }
        }
    }

    @Test func decommissionedModelsCreateNoNewTwins() async throws {
        try await Self.withModels { http in
            #expect(
                try await http.send(
                    .put, "/digitaltwins/old?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#
                ).status == .ok)
            _ = try await http.send(
                .patch, "/models/dtmi:ex:Thermo;1?\(Self.v)",
                #"[{"op":"replace","path":"/decommissioned","value":true}]"#)
            let refused = try await http.send(
                .put, "/digitaltwins/new?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:Thermo;1"}}"#)
            #expect(try GatewayTest.errorCode(refused) == "ModelDecommissioned")
            // Existing twins stay fully usable.
            let patched = try await http.send(
                .patch, "/digitaltwins/old?\(Self.v)", #"[{"op":"add","path":"/temp","value":1.0}]"#)
            #expect(patched.status == .noContent)
        }
    }
}
