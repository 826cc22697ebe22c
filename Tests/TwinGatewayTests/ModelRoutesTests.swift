import ADTWire
import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TwinTestSupport

@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct ModelRoutesTests {
    static let v = GatewayTest.version
    static let base =
        #"{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Base;1","@type":"Interface","displayName":"Base","contents":[{"@type":"Property","name":"p","schema":"string"}]}"#
    static let room =
        #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Room;1","@type":"Interface","extends":"dtmi:ex:Base;1","description":{"en":"A room"},"contents":[{"@type":"Component","name":"c","schema":"dtmi:ex:Part;1"}]}"#
    static let part = #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Part;1","@type":"Interface"}"#

    @Test func uploadReturnsTheModelDataInADTShape() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let response = try await http.send(.post, "/models?\(Self.v)", "[\(Self.base),\(Self.part),\(Self.room)]")
            #expect(response.status == .created)
            let items = try #require(try GatewayTest.json(response).arrayValue)
            #expect(items.map { $0["id"]?.stringValue } == ["dtmi:ex:Base;1", "dtmi:ex:Part;1", "dtmi:ex:Room;1"])
            #expect(items[0].objectValue?.keys == ["id", "description", "displayName", "decommissioned", "uploadTime"])
            #expect(items[0]["displayName"] == ["en": "Base"])
            #expect(items[0]["description"] == .object(JSONObject()))
            #expect(items[2]["description"] == ["en": "A room"])
            #expect(items[0]["decommissioned"] == false)
            let uploadTime = try #require(items[0]["uploadTime"]?.stringValue)
            #expect(uploadTime.hasSuffix("+00:00") && uploadTime.count >= 25, "\(uploadTime)")
        }
    }

    @Test func uploadsAreAllOrNothing() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            // Room needs Part, which is neither in the batch nor uploaded: nothing is stored.
            let failed = try await http.send(.post, "/models?\(Self.v)", "[\(Self.base),\(Self.room)]")
            #expect(failed.status == .badRequest)
            #expect(try GatewayTest.errorCode(failed) == "DTDLParserError")
            let list = try await http.send(.get, "/models?\(Self.v)")
            #expect(try GatewayTest.json(list)["value"]?.arrayValue?.isEmpty == true)

            #expect(try await http.send(.post, "/models?\(Self.v)", "[\(Self.base)]").status == .created)
            let again = try await http.send(.post, "/models?\(Self.v)", "[\(Self.part),\(Self.base)]")
            #expect(again.status == .conflict)
            #expect(try GatewayTest.errorCode(again) == "ModelIdAlreadyExists")
            // Part was not stored by the refused batch.
            #expect(try await http.send(.get, "/models/dtmi:ex:Part;1?\(Self.v)").status == .notFound)
        }
    }

    @Test(arguments: [
        ("[]", "InvalidArgument"),
        ("{}", "InvalidArgument"),
        ("[1]", "DTDLParserError"),
        (#"[{"@type":"Interface","@context":"dtmi:dtdl:context;2"}]"#, "DTDLParserError"),
        (#"[{"@context":"dtmi:dtdl:context;4","@id":"dtmi:ex:V4;1","@type":"Interface"}]"#, "ModelVersionNotSupported"),
        (
            #"[{"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:C;1","@type":"Interface","contents":[{"@type":"Command","name":"go"}]}]"#,
            "DTDLParserError"
        ),
        ("not json", "InvalidArgument"),
    ])
    func badUploadsGetADTErrors(_ body: String, _ code: String) async throws {
        try await GatewayTest.withGateways { gateways in
            let response = try await gateways[0].send(.post, "/models?\(Self.v)", body)
            #expect(response.status == .badRequest)
            #expect(try GatewayTest.errorCode(response) == code)
        }
    }

    @Test func listPagesFollowNextLink() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let models = (1...5).map {
                #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:M\#($0);1","@type":"Interface"}"#
            }
            #expect(
                try await http.send(.post, "/models?\(Self.v)", "[\(models.joined(separator: ","))]").status == .created
            )
            var seen: [String] = []
            var uri: String? = "/models?\(Self.v)&includeModelDefinition=true"
            var pages = 0
            while let next = uri {
                // As the SDKs do: the page size is sent with the first request only.
                let headers: HTTPFields = pages == 0 ? [HTTPField.Name("max-items-per-page")!: "2"] : [:]
                let response = try await http.send(.get, next, headers: headers)
                #expect(response.status == .ok)
                let body = try GatewayTest.json(response)
                #expect(body.objectValue?.keys == ["value", "nextLink"])
                let items = try #require(body["value"]?.arrayValue)
                #expect(items.count == (pages < 2 ? 2 : 1))
                #expect(items.allSatisfy { $0["model"]?["@id"] == $0["id"] })
                seen += items.compactMap { $0["id"]?.stringValue }
                pages += 1
                if let link = body["nextLink"]?.stringValue {
                    #expect(link.hasPrefix("http://") && link.hasSuffix("&\(Self.v)"), "\(link)")
                    uri = String(link[link.range(of: "/models")!.lowerBound...])
                } else {
                    #expect(body["nextLink"] == .null)
                    uri = nil
                }
            }
            #expect(pages == 3)
            #expect(seen == (1...5).map { "dtmi:ex:M\($0);1" })
        }
    }

    @Test func dependenciesForReturnsTheClosure() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let other = #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Other;1","@type":"Interface"}"#
            _ = try await http.send(.post, "/models?\(Self.v)", "[\(Self.base),\(Self.part),\(Self.room),\(other)]")
            let response = try await http.send(.get, "/models?\(Self.v)&dependenciesFor=dtmi:ex:Room;1")
            let ids = Set(
                try GatewayTest.json(response)["value"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
            #expect(ids == ["dtmi:ex:Room;1", "dtmi:ex:Base;1", "dtmi:ex:Part;1"])
            let missing = try await http.send(.get, "/models?\(Self.v)&dependenciesFor=dtmi:ex:Nope;1")
            #expect(missing.status == .notFound)
            #expect(try GatewayTest.errorCode(missing) == "ModelNotFound")
        }
    }

    @Test func getDecommissionAndDelete() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            _ = try await http.send(.post, "/models?\(Self.v)", "[\(Self.base),\(Self.part),\(Self.room)]")
            // Percent-encoded and raw ids both work.
            let got = try await http.send(.get, "/models/dtmi%3Aex%3ABase%3B1?\(Self.v)&includeModelDefinition=true")
            #expect(got.status == .ok)
            // As uploaded, but with `@context` as an array, as ADT answers (recorded).
            guard case .object(var expected) = try JSONParser.parse(Self.base) else { return }
            #expect(expected["@context"]?.stringValue != nil)
            expected["@context"] = .array([expected["@context"]!])
            #expect(try GatewayTest.json(got)["model"] == .object(expected))
            let listed = try await http.send(.get, "/models?\(Self.v)&includeModelDefinition=true")
            let items = try GatewayTest.json(listed)["value"]?.arrayValue ?? []
            #expect(items.allSatisfy { $0["model"]?["@context"]?.arrayValue != nil })

            let decommission = #"[{"op":"replace","path":"/decommissioned","value":true}]"#
            let patched = try await http.send(.patch, "/models/dtmi:ex:Room;1?\(Self.v)", decommission)
            #expect(patched.status == .noContent)
            #expect(
                try GatewayTest.json(try await http.send(.get, "/models/dtmi:ex:Room;1?\(Self.v)"))["decommissioned"]
                    == true)
            let badPatch = try await http.send(
                .patch, "/models/dtmi:ex:Room;1?\(Self.v)", #"[{"op":"replace","path":"/displayName","value":"x"}]"#)
            #expect(try GatewayTest.errorCode(badPatch) == "JsonPatchInvalid")

            // Base is used by Room: it stays until Room is gone.
            let refused = try await http.send(.delete, "/models/dtmi:ex:Base;1?\(Self.v)")
            #expect(refused.status == .conflict)
            #expect(try GatewayTest.errorCode(refused) == "ModelReferencesNotDeleted")
            #expect(try await http.send(.delete, "/models/dtmi:ex:Room;1?\(Self.v)").status == .noContent)
            #expect(try await http.send(.delete, "/models/dtmi:ex:Base;1?\(Self.v)").status == .noContent)
            let gone = try await http.send(.get, "/models/dtmi:ex:Base;1?\(Self.v)")
            #expect(gone.status == .notFound)
            #expect(try GatewayTest.errorCode(gone) == "ModelNotFound")
            let invalid = try await http.send(.get, "/models/notADtmi?\(Self.v)")
            #expect(try GatewayTest.errorCode(invalid) == "InvalidArgument")
        }
    }

    @Test func apiVersionIsRequiredAndTraceparentEchoed() async throws {
        try await GatewayTest.withGateways { gateways in
            let http = gateways[0]
            let missing = try await http.send(.get, "/models")
            #expect(missing.status == .badRequest)
            #expect(try GatewayTest.errorCode(missing) == "MissingApiVersionParameter")
            let unknown = try await http.send(.get, "/models?api-version=2019-01-01")
            #expect(try GatewayTest.errorCode(unknown) == "InvalidApiVersionParameter")
            for version in ["2020-10-31", "2022-05-31", "2023-06-30", "2023-10-31"] {
                #expect(try await http.send(.get, "/models?api-version=\(version)").status == .ok)
            }
            let traced = try await http.send(
                .get, "/models?\(Self.v)",
                headers: [HTTPField.Name("traceparent")!: "00-7c556328fed171a7bd277b8e0d7e6831-d959f6bbcc08dffa-00"])
            let trace = try #require(traced.headers[HTTPField.Name("traceresponse")!])
            #expect(
                trace.hasPrefix("00-7c556328fed171a7bd277b8e0d7e6831-") && trace.hasSuffix("-01") && trace.count == 55)
        }
    }

    @Test func twoGatewaysOnOneDatabaseNeverServeAStaleModelGraph() async throws {
        try await GatewayTest.withGateways(2) { gateways in
            let a = gateways[0]
            let b = gateways[1]
            let first = try await a.send(.post, "/models?\(Self.v)", "[\(Self.base)]")
            #expect(first.status == .created)
            // B removes it; A's cache still holds it but must see the change at once.
            let deleted = try await b.send(.delete, "/models/dtmi:ex:Base;1?\(Self.v)")
            #expect(deleted.status == .noContent)
            let again = try await a.send(.post, "/models?\(Self.v)", "[\(Self.base)]")
            #expect(again.status == .created)
            // And the other way round: A's new upload is known to B's resolver.
            let child =
                #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Child;1","@type":"Interface","extends":"dtmi:ex:Base;1"}"#
            let derived = try await b.send(.post, "/models?\(Self.v)", "[\(child)]")
            #expect(derived.status == .created)
        }
    }

    /// Gateway A has a model in its cache (it just wrote a twin of it); gateway B decommissions,
    /// then deletes it. A's next twin writes are refused at once (ModelDecommissioned for a new
    /// twin, then the deleted model unknown) and store nothing: A never validates against the
    /// graph it cached.
    @Test func aWriteRightAfterAnotherGatewayRetiredTheModelIsRefused() async throws {
        try await GatewayTest.withGateways(2) { gateways in
            let (a, b, v) = (gateways[0], gateways[1], Self.v)
            let model = #"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Gone;1","@type":"Interface"}"#
            #expect(try await a.send(.post, "/models?\(v)", "[\(model)]").status == .created)
            let twin = #"{"$metadata":{"$model":"dtmi:ex:Gone;1"}}"#
            #expect(try await a.send(.put, "/digitaltwins/first?\(v)", twin).status == .ok)

            let decommission = #"[{"op":"replace","path":"/decommissioned","value":true}]"#
            #expect(
                try await b.send(
                    .patch, "/models/dtmi:ex:Gone;1?\(v)", decommission,
                    headers: [.contentType: "application/json-patch+json"]
                ).status == .noContent)
            let afterDecommission = try await a.send(.put, "/digitaltwins/second?\(v)", twin)
            #expect(afterDecommission.status == .badRequest)
            #expect(try GatewayTest.errorCode(afterDecommission) == "ModelDecommissioned")

            #expect(try await b.send(.delete, "/digitaltwins/first?\(v)").status == .noContent)
            #expect(try await b.send(.delete, "/models/dtmi:ex:Gone;1?\(v)").status == .noContent)
            let afterDelete = try await a.send(.put, "/digitaltwins/third?\(v)", twin)
            #expect(afterDelete.status == .badRequest)
            #expect(try GatewayTest.errorCode(afterDelete) != nil)
            for id in ["second", "third"] {
                #expect(try await a.send(.get, "/digitaltwins/\(id)?\(v)").status == .notFound)
            }
        }
    }
}
