import DigitalTwinsClient
import Foundation
import Testing

extension ClientTests {
    @Suite struct PagingTests {
        @Test func modelListFollowsAbsoluteNextLinks() async throws {
            let server = try LoopbackServer { request, index in
                let base = "http://127.0.0.1:\(request.headers["Host"]?.split(separator: ":").last ?? "")"
                switch index {
                case 0:
                    return .json(
                        #"{"value":[{"id":"dtmi:a;1","displayName":{"en":"A"},"decommissioned":false}],"nextLink":"\#(base)/models?continuationToken=p2&api-version=2023-10-31"}"#
                    )
                case 1:
                    return .json(
                        #"{"value":[{"id":"dtmi:b;1"},{"id":"dtmi:c;1","description":{}}],"nextLink":"\#(base)/models?continuationToken=p3"}"#
                    )
                default:
                    return .json(#"{"value":[{"id":"dtmi:d;1","decommissioned":true}],"nextLink":null}"#)
                }
            }
            let client = try makeClient(server)
            let models = try await client.listModels(dependenciesFor: ["dtmi:a;1", "dtmi:x;1"], maxItemsPerPage: 2)
                .collect()
            #expect(models.map(\.id) == ["dtmi:a;1", "dtmi:b;1", "dtmi:c;1", "dtmi:d;1"])
            #expect(models[0].displayNames == ["en": "A"])
            #expect(models[3].decommissioned)
            let requests = server.requests
            #expect(requests.count == 3)
            #expect(requests[0].queryValues("dependenciesFor") == ["dtmi:a;1", "dtmi:x;1"])
            #expect(requests[0].queryValues("includeModelDefinition") == ["false"])
            #expect(requests[1].target == "/models?continuationToken=p2&api-version=2023-10-31")
            // A link without api-version gets one.
            #expect(requests[2].target == "/models?continuationToken=p3&api-version=2023-10-31")
            #expect(requests.allSatisfy { $0.headers["max-items-per-page"] == "2" })
        }

        @Test func pagesAreFetchedLazily() async throws {
            let server = try LoopbackServer(script: [
                .json(
                    #"{"value":[{"id":"dtmi:a;1"}],"nextLink":"/models?continuationToken=p2&api-version=2023-10-31"}"#),
                .json(#"{"value":[{"id":"dtmi:b;1"}]}"#),
            ])
            let client = try makeClient(server)
            var iterator = client.listModels().makeAsyncIterator()
            #expect(try await iterator.next()?.id == "dtmi:a;1")
            #expect(server.requests.count == 1)
            #expect(try await iterator.next()?.id == "dtmi:b;1")  // relative link, resolved on the endpoint
            #expect(try await iterator.next() == nil)
            #expect(server.requests.count == 2)
        }

        @Test func queryFollowsContinuationTokens() async throws {
            let server = try LoopbackServer { request, _ in
                switch json(request.bodyText)["continuationToken"]?.stringValue {
                case nil:
                    .json(
                        #"{"value":[{"$dtId":"a"},{"$dtId":"b"}],"continuationToken":"tok-1"}"#,
                        headers: [("query-charge", "3.29")])
                case "tok-1": .json(#"{"value":[],"continuationToken":"tok-2"}"#, headers: [("query-charge", "1")])
                default:
                    .json(#"{"value":[{"$dtId":"c"}],"continuationToken":null}"#, headers: [("query-charge", "0.5")])
                }
            }
            let client = try makeClient(server)
            let pages = try await client.query("SELECT * FROM digitaltwins WHERE name = 'x'", pageSize: 2).collect()
            #expect(pages.map(\.items.count) == [2, 0, 1])
            #expect(pages.map(\.queryCharge) == [3.29, 1, 0.5])
            #expect(pages.map(\.continuationToken) == ["tok-1", "tok-2", nil])
            let requests = server.requests
            #expect(requests.map(\.path) == ["/query", "/query", "/query"])
            #expect(requests.allSatisfy { $0.method == "POST" && $0.headers["max-items-per-page"] == "2" })
            #expect(json(requests[0].bodyText) == ["query": "SELECT * FROM digitaltwins WHERE name = 'x'"])
            #expect(json(requests[1].bodyText) == ["continuationToken": "tok-1"])
            #expect(json(requests[2].bodyText) == ["continuationToken": "tok-2"])

            let items = try await client.query("SELECT * FROM digitaltwins").items.collect()
            #expect(items.compactMap { $0["$dtId"]?.stringValue } == ["a", "b", "c"])
        }

        @Test func aCursorThatDoesNotMoveIsAnError() async throws {
            let server = try LoopbackServer(script: [.json(#"{"value":[1],"continuationToken":"same"}"#)])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) {
                _ = try await client.query("SELECT * FROM digitaltwins").collect()
            }
            #expect(error?.kind == .invalidResponse)
            #expect(server.requests.count == 2)
        }

        @Test func relationshipListsFilterByNameAndPage() async throws {
            let server = try LoopbackServer { request, index in
                let port = request.headers["Host"]?.split(separator: ":").last ?? ""
                return index == 0
                    ? .json(
                        #"{"nextLink":"http://127.0.0.1:\#(port)/digitaltwins/a%20b/relationships?relationshipName=contains&continuationToken=x&api-version=2023-10-31","value":[{"$relationshipId":"r1","$sourceId":"a b","$targetId":"c","$relationshipName":"contains","$etag":"W/\"e1\""}]}"#
                    )
                    : .json(
                        #"{"nextLink":null,"value":[{"$relationshipId":"r2","$sourceId":"a b","$targetId":"d","$relationshipName":"contains"}]}"#
                    )
            }
            let client = try makeClient(server)
            let relationships = try await client.listRelationships(twinID: "a b", name: "contains").collect()
            #expect(relationships.map(\.id) == ["r1", "r2"])
            #expect(relationships.map(\.targetID) == ["c", "d"])
            #expect(relationships[0].etag == #"W/"e1""#)
            #expect(
                server.requests[0].target
                    == "/digitaltwins/a%20b/relationships?relationshipName=contains&api-version=2023-10-31")
        }

        @Test func incomingRelationships() async throws {
            let server = try LoopbackServer(script: [
                .json(
                    #"{"value":[{"$relationshipId":"r1","$sourceId":"s","$relationshipName":"feeds","$relationshipLink":"/digitaltwins/s/relationships/r1"}]}"#
                )
            ])
            let client = try makeClient(server)
            let incoming = try await client.listIncomingRelationships(twinID: "t").collect()
            #expect(incoming.count == 1)
            #expect(incoming[0].sourceID == "s")
            #expect(incoming[0].name == "feeds")
            #expect(incoming[0].link == "/digitaltwins/s/relationships/r1")
            #expect(server.requests[0].path == "/digitaltwins/t/incomingrelationships")
        }

        @Test func nextLinkToAnotherHostIsRefusedWithACredential() async throws {
            let server = try LoopbackServer(script: [
                .json(#"{"value":[],"nextLink":"https://evil.example.com/models?continuationToken=x"}"#)
            ])
            let client = try makeClient(server, credential: StaticTokenCredential(token: "t"))
            let error = await #expect(throws: ADTError.self) { _ = try await client.listModels().collect() }
            #expect(error?.kind == .invalidResponse)
            #expect(server.requests.count == 1)
        }
    }
}
