import ADTWire
import DigitalTwinsClient
import Foundation
import Testing

extension ClientTests {
    @Suite struct ClientAPITests {
        @Test func pathSegmentsArePercentEncoded() async throws {
            let server = try LoopbackServer(script: [.json(#"{"$dtId":"x","id":"x"}"#)])
            let client = try makeClient(server)
            _ = try await client.getTwin(id: "room 1/a?b#c%d:é;+&=")
            _ = try await client.getModel(id: "dtmi:samples:Room;1")
            _ = try await client.getRelationship(sourceID: "a b", relationshipID: "r/1")
            let targets = server.requests.map(\.target)
            #expect(targets[0] == "/digitaltwins/room%201%2Fa%3Fb%23c%25d%3A%C3%A9%3B%2B%26%3D?api-version=2023-10-31")
            #expect(
                targets[1] == "/models/dtmi%3Asamples%3ARoom%3B1?includeModelDefinition=false&api-version=2023-10-31")
            #expect(targets[2] == "/digitaltwins/a%20b/relationships/r%2F1?api-version=2023-10-31")
        }

        @Test func createOrReplaceTwin() async throws {
            let stored =
                #"{"$dtId":"t1","$etag":"W/\"e1\"","$metadata":{"$model":"dtmi:example:Room;1"},"temperature":20}"#
            let server = try LoopbackServer(script: [.json(stored, headers: [("ETag", #"W/"e1""#)])])
            let client = try makeClient(server)
            let twin = DigitalTwin(
                id: "t1", modelID: "dtmi:example:Room;1", properties: JSONObject([(key: "temperature", value: 20)]))
            let created = try await client.createOrReplaceTwin(twin, ifNoneMatch: "*")
            #expect(created.etag == #"W/"e1""#)
            #expect(created.modelID == "dtmi:example:Room;1")
            let request = try #require(server.requests.first)
            #expect(request.method == "PUT")
            #expect(request.path == "/digitaltwins/t1")
            #expect(request.headers["If-None-Match"] == "*")
            #expect(request.headers["Content-Type"] == "application/json")
            #expect(json(request.bodyText) == .object(twin.json))
        }

        @Test func updateTwinSendsAJSONPatch() async throws {
            let server = try LoopbackServer(script: [.status(204, headers: [("ETag", #"W/"e2""#)])])
            let client = try makeClient(server)
            let etag = try await client.updateTwin(
                id: "t1",
                patch: [
                    .replace("/temperature", 21.5), .add("/$metadata/temperature/sourceTime", "2024-01-01T00:00:00Z"),
                    .remove("humidity"),
                ],
                ifMatch: #"W/"e1""#)
            #expect(etag == #"W/"e2""#)
            let request = try #require(server.requests.first)
            #expect(request.method == "PATCH")
            #expect(request.headers["Content-Type"] == "application/json-patch+json")
            #expect(request.headers["If-Match"] == #"W/"e1""#)
            #expect(
                json(request.bodyText)
                    == json(
                        #"[{"op":"replace","path":"/temperature","value":21.5},{"op":"add","path":"/$metadata/temperature/sourceTime","value":"2024-01-01T00:00:00Z"},{"op":"remove","path":"/humidity"}]"#
                    ))
        }

        @Test func patchDocumentsGivenAsJSON() async throws {
            let server = try LoopbackServer(script: [.status(204, headers: [("ETag", #"W/"e3""#)])])
            let client = try makeClient(server)
            let document = json(#"[{"op":"add","path":"/a~1b","value":{"x":1}},{"op":"remove","path":"/c"}]"#)
            #expect(try await client.updateTwin(id: "t", patch: document) == #"W/"e3""#)
            _ = try await client.updateComponent(twinID: "t", path: "c", patch: document)
            _ = try await client.updateRelationship(sourceID: "t", relationshipID: "r", patch: document)
            #expect(server.requests.map { json($0.bodyText) } == Array(repeating: document, count: 3))
            let error = await #expect(throws: ADTError.self) {
                _ = try await client.updateTwin(id: "t", patch: json(#"[{"op":"move","from":"/a","path":"/b"}]"#))
            }
            #expect(error?.kind == .invalidArgument)
            #expect(server.requests.count == 3)
        }

        @Test func deleteTwinWithCascadeAndIfMatch() async throws {
            let server = try LoopbackServer(script: [.status(204)])
            let client = try makeClient(server)
            try await client.deleteTwin(id: "t1", ifMatch: "*", cascade: true)
            try await client.deleteTwin(id: "t2")
            let requests = server.requests
            #expect(requests[0].method == "DELETE")
            #expect(requests[0].queryValues("cascade") == ["true"])
            #expect(requests[0].headers["If-Match"] == "*")
            #expect(requests[1].queryValues("cascade") == [])
            #expect(requests[1].headers["If-Match"] == nil)
        }

        @Test func models() async throws {
            let server = try LoopbackServer { request, _ in
                switch (request.method, request.path) {
                case ("POST", "/models"):
                    return .json(
                        #"[{"id":"dtmi:a;1","description":{},"displayName":{"en":"A"},"decommissioned":false,"uploadTime":"2021-01-09T01:21:40.9871976+00:00"}]"#,
                        status: 201)
                case ("GET", _):
                    return .json(
                        #"{"id":"dtmi:a;1","decommissioned":false,"model":{"@id":"dtmi:a;1","@type":"Interface"}}"#)
                default:
                    return .status(204)
                }
            }
            let client = try makeClient(server)
            let model = json(#"{"@id":"dtmi:a;1","@type":"Interface","@context":"dtmi:dtdl:context;3"}"#)
            let created = try await client.createModels([model])
            #expect(created.map(\.id) == ["dtmi:a;1"])
            #expect(created[0].uploadTime == "2021-01-09T01:21:40.9871976+00:00")
            let fetched = try await client.getModel(id: "dtmi:a;1", includeModelDefinition: true)
            #expect(fetched.model?["@type"] == "Interface")
            try await client.decommissionModel(id: "dtmi:a;1")
            try await client.deleteModel(id: "dtmi:a;1")
            let requests = server.requests
            #expect(json(requests[0].bodyText) == .array([model]))
            #expect(requests[1].queryValues("includeModelDefinition") == ["true"])
            #expect(requests[2].method == "PATCH")
            #expect(json(requests[2].bodyText) == json(#"[{"op":"replace","path":"/decommissioned","value":true}]"#))
            #expect(requests[3].method == "DELETE")
            #expect(requests[3].path == "/models/dtmi%3Aa%3B1")
        }

        @Test func relationships() async throws {
            let stored =
                #"{"$relationshipId":"r1","$sourceId":"a","$targetId":"b","$relationshipName":"contains","$etag":"W/\"r\"","since":2020}"#
            let server = try LoopbackServer { request, _ in
                request.method == "PUT" || request.method == "GET"
                    ? .json(stored, headers: [("ETag", #"W/"r""#)]) : .status(204, headers: [("ETag", #"W/"r2""#)])
            }
            let client = try makeClient(server)
            let relationship = BasicRelationship(
                id: "r1", sourceID: "a", targetID: "b", name: "contains",
                properties: JSONObject([(key: "since", value: 2020)]))
            let created = try await client.createOrReplaceRelationship(relationship, ifNoneMatch: "*")
            #expect(created.etag == #"W/"r""#)
            #expect(created["since"] == 2020)
            let fetched = try await client.getRelationship(sourceID: "a", relationshipID: "r1")
            #expect(fetched.name == "contains")
            let etag = try await client.updateRelationship(
                sourceID: "a", relationshipID: "r1", patch: [.replace("/since", 2021)])
            #expect(etag == #"W/"r2""#)
            try await client.deleteRelationship(sourceID: "a", relationshipID: "r1", ifMatch: #"W/"r2""#)
            let requests = server.requests
            #expect(requests.map(\.method) == ["PUT", "GET", "PATCH", "DELETE"])
            #expect(requests.allSatisfy { $0.path == "/digitaltwins/a/relationships/r1" })
            #expect(requests[0].headers["If-None-Match"] == "*")
            #expect(json(requests[0].bodyText)["$targetId"] == "b")
            #expect(requests[3].headers["If-Match"] == #"W/"r2""#)
        }

        @Test func components() async throws {
            let server = try LoopbackServer { request, _ in
                request.method == "GET"
                    ? .json(#"{"setPoint":20,"$metadata":{}}"#, headers: [("ETag", #"W/"t""#)])
                    : .status(204, headers: [("ETag", #"W/"t2""#)])
            }
            let client = try makeClient(server)
            let component = try await client.getComponent(twinID: "t 1", path: "thermostat")
            #expect(component["setPoint"] == 20)
            #expect(component.etag == #"W/"t""#)
            #expect(
                try await client.updateComponent(twinID: "t 1", path: "thermostat", patch: [.replace("/setPoint", 21)])
                    == #"W/"t2""#)
            #expect(
                server.requests.map(\.path) == [
                    "/digitaltwins/t%201/components/thermostat", "/digitaltwins/t%201/components/thermostat",
                ])
        }

        @Test func telemetry() async throws {
            let server = try LoopbackServer(script: [.status(204)])
            let client = try makeClient(server)
            let generated = try await client.publishTelemetry(twinID: "t1", payload: ["temperature": 20])
            let given = try await client.publishComponentTelemetry(
                twinID: "t1", componentPath: "thermostat", payload: ["setPoint": 21], messageID: "m-1",
                sourceTime: "2024-05-01T12:00:00Z")
            #expect(UUID(uuidString: generated) != nil)
            #expect(given == "m-1")
            let requests = server.requests
            #expect(requests[0].method == "POST")
            #expect(requests[0].path == "/digitaltwins/t1/telemetry")
            #expect(requests[0].headers["Message-Id"] == generated)
            #expect(requests[0].headers["Telemetry-Source-Time"] == nil)
            #expect(json(requests[0].bodyText) == ["temperature": 20])
            #expect(requests[1].path == "/digitaltwins/t1/components/thermostat/telemetry")
            #expect(requests[1].headers["Message-Id"] == "m-1")
            #expect(requests[1].headers["Telemetry-Source-Time"] == "2024-05-01T12:00:00Z")
        }

        @Test func telemetryIsRetriedWithTheSameMessageID() async throws {
            let server = try LoopbackServer(script: [.status(503), .status(204)])
            let client = try makeClient(server)
            try await client.publishTelemetry(twinID: "t1", payload: ["x": 1])
            let ids = server.requests.map { $0.headers["Message-Id"] }
            #expect(ids.count == 2)
            #expect(ids[0] == ids[1])
        }

        @Test func apiVersionIsConfigurable() async throws {
            let server = try LoopbackServer(script: [.json(#"{"$dtId":"x"}"#)])
            let client = try DigitalTwinsClient(endpoint: server.url + "/", options: .init(apiVersion: "2022-05-31"))
            _ = try await client.getTwin(id: "x")
            #expect(server.requests[0].target == "/digitaltwins/x?api-version=2022-05-31")
        }
    }
}
