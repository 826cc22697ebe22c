import ADTWire
import DigitalTwinsClient
import Foundation
import HTTPTransport
import Testing

extension ClientTests {
    @Suite struct TransportTests {
        @Test func getReturnsStatusHeadersAndJSONBody() async throws {
            let server = try LoopbackServer(script: [
                .json(
                    #"{"$dtId":"room1","$etag":"W/\"1\"","temperature":21.5}"#,
                    headers: [("ETag", #"W/"1""#), ("x-ms-request-id", "r-1")])
            ])
            let transport = CurlTransport()
            let response = try await transport.send(
                TransportRequest(method: .get, url: server.url + "/digitaltwins/room1?api-version=2023-10-31"))
            #expect(response.status == 200)
            #expect(response.headers["etag"] == #"W/"1""#)
            #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
            #expect(response.httpVersion == "1.1")
            let body = try JSONParser.parse(response.body)
            #expect(body["temperature"] == JSONValue.double(21.5))
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.target == "/digitaltwins/room1?api-version=2023-10-31")
        }

        @Test func clientGetSendsHeadersAndReturnsTypedTwin() async throws {
            let server = try LoopbackServer(script: [
                .json(
                    #"{"$dtId":"room1","$etag":"W/\"body\"","$metadata":{"$model":"dtmi:example:Room;1"},"temperature":21}"#,
                    headers: [("ETag", #"W/"header""#)])
            ])
            let client = try makeClient(server)
            let twin = try await client.getTwin(id: "room1")
            #expect(twin.id == "room1")
            #expect(twin.modelID == "dtmi:example:Room;1")
            #expect(twin.etag == #"W/"header""#)
            #expect(twin["temperature"] == 21)
            let request = try #require(server.requests.first)
            #expect(request.headers["Accept"] == "application/json")
            #expect(request.headers["Authorization"] == nil)
            #expect(request.headers["x-ms-client-request-id"] != nil)
            #expect(request.queryValues("api-version") == ["2023-10-31"])
        }

        @Test func bodiesAreSentFromMemoryForEveryMethod() async throws {
            let server = try LoopbackServer(script: [.status(204)])
            let transport = CurlTransport()
            let payload = Array(#"{"x":"\#(String(repeating: "é", count: 5000))"}"#.utf8)
            for method in [HTTPMethod.put, .post, .patch, .delete] {
                let response = try await transport.send(
                    TransportRequest(
                        method: method, url: server.url + "/b", headers: ["Content-Type": "application/json"],
                        body: payload))
                #expect(response.status == 204)
            }
            _ = try await transport.send(TransportRequest(method: .post, url: server.url + "/empty"))
            let requests = server.requests
            #expect(requests.map(\.method) == ["PUT", "POST", "PATCH", "DELETE", "POST"])
            for request in requests.prefix(4) {
                #expect(request.body == payload)
                #expect(request.headers["Expect"] == nil)
            }
            #expect(requests[4].body.isEmpty)
            #expect(requests[4].headers["Content-Length"] == "0")
        }

        @Test func connectionRefusedIsAConnectError() async throws {
            let transport = CurlTransport()
            let port = LoopbackServer.closedPort()
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .get, url: "http://127.0.0.1:\(port)/"))
            }
            #expect(error?.kind == .connect)
            #expect(error?.requestMayHaveBeenSent == false)
        }

        @Test func requestTimeout() async throws {
            let server = try LoopbackServer(script: [Reply.status(200).delayed(.seconds(3))])
            let transport = CurlTransport()
            let started = ContinuousClock.now
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    TransportRequest(method: .get, url: server.url + "/slow", timeout: .milliseconds(200)))
            }
            #expect(error?.kind == .timeout)
            #expect(error?.requestMayHaveBeenSent == true)
            #expect(ContinuousClock.now - started < .seconds(2))
        }

        @Test func cancellingTheTaskAbortsTheTransfer() async throws {
            let server = try LoopbackServer(script: [Reply.status(200).delayed(.seconds(5)), .status(200)])
            let transport = CurlTransport()
            let started = ContinuousClock.now
            let task = Task { try await transport.send(TransportRequest(method: .get, url: server.url + "/slow")) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(ContinuousClock.now - started < .seconds(3))
            // The transport keeps working afterwards.
            #expect(try await transport.send(TransportRequest(method: .get, url: server.url + "/next")).status == 200)
        }

        @Test func manyConcurrentCallsShareOneThread() async throws {
            let server = try LoopbackServer { request, _ in
                .json(#"{"$dtId":"\#(request.path.split(separator: "/").last ?? "")"}"#).delayed(.milliseconds(200))
            }
            let transport = CurlTransport()
            let client = try makeClient(server, transport: transport)
            _ = try await client.getTwin(id: "warm-up")  // starts the transport's thread
            #expect(transport.threadRecord.started == 1)
            let before = threadCount()
            let sampler = Task {
                var peak = 0
                while !Task.isCancelled {
                    peak = max(peak, threadCount())
                    try? await Task.sleep(for: .milliseconds(10))
                }
                return peak
            }
            let started = ContinuousClock.now
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<100 { group.addTask { try await client.getTwin(id: "t\(i)").id } }
                var ids: [String] = []
                for try await id in group { ids.append(id) }
                return ids
            }
            let elapsed = ContinuousClock.now - started
            sampler.cancel()
            let peak = await sampler.value
            #expect(Set(ids) == Set((0..<100).map { "t\($0)" }))
            #expect(server.requests.count == 101)
            // The 100 calls (200 ms each on the server) ran concurrently, not one after another.
            #expect(elapsed < .seconds(5))
            // One transport thread serves all 100: this transport started no other.
            #expect(transport.threadRecord.started == 1 && transport.threadRecord.running)
            // And the process as a whole did not grow by anything like a thread per request
            // (the margin absorbs other modules' tests running in parallel in the full package).
            #expect(peak - before < 50, "threads before: \(before), peak during: \(peak)")
        }

        @Test func releasedTransportsStopTheirThreads() async throws {
            let server = try LoopbackServer(script: [.json("{}")])
            // The transports' own threads, watched through records that outlive them.
            var records: [CurlThreadRecord] = []
            do {
                let transports = (0..<5).map { _ in CurlTransport() }
                for transport in transports {
                    _ = try await transport.send(TransportRequest(method: .get, url: server.url + "/x"))
                }
                records = transports.map(\.threadRecord)
                #expect(records.allSatisfy { $0.started == 1 && $0.running })
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while records.contains(where: \.running) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(records.allSatisfy { !$0.running }, "a released transport's thread still runs")
        }

        @Test func shutdownFailsRequestsInFlightAndLaterOnes() async throws {
            let server = try LoopbackServer(script: [Reply.status(200).delayed(.seconds(5))])
            let transport = CurlTransport()
            let inFlight = Task { try await transport.send(TransportRequest(method: .get, url: server.url + "/slow")) }
            try await Task.sleep(for: .milliseconds(100))
            transport.shutdown()
            let error = await #expect(throws: TransportError.self) { _ = try await inFlight.value }
            #expect(error?.kind == .shutdown)
            let later = await #expect(throws: TransportError.self) {
                _ = try await transport.send(TransportRequest(method: .get, url: server.url + "/x"))
            }
            #expect(later?.kind == .shutdown)
        }

        @Test func connectionsAreReused() async throws {
            let server = try LoopbackServer(script: [.json("{}")])
            let transport = CurlTransport()
            for _ in 0..<5 { _ = try await transport.send(TransportRequest(method: .get, url: server.url + "/x")) }
            #expect(server.requests.count == 5)
            // Counted where they arrive: five requests over one connection.
            #expect(server.acceptedConnections == 1)
        }
    }
}
