import Foundation
import GatewayTestSupport
import HTTPTransport
import Testing
import TwinTestSupport

/// `twins serve` (the built executable) stopped with SIGTERM after serving twin reads and
/// writes shuts down cleanly: exit status 0, no crash (its connections outside the pool are
/// closed before they go away).
@Suite(
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(
        if: TwinsProcess.executable != nil, "needs the built twins executable: run the tests through scripts/test.sh"))
struct ServeShutdownTests {
    @Test func aGracefulShutdownAfterTrafficExitsWithZero() async throws {
        try await TestDatabase.withFreshDatabase { url, _ in
            let gateway = TwinsProcess(
                arguments: [
                    "serve", "--host", "127.0.0.1", "--port", "0", "--database-url",
                    url.description + "?sslmode=disable",
                    "--database-pool-size", "4", "--log-level", "error",
                ],
                readyMarker: "twins: serving at ")
            let base = try await gateway.start()
            let v = "api-version=2023-10-31"
            let transport = CurlTransport()
            func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> Int {
                let type = method == .patch ? "application/json-patch+json" : "application/json"
                return try await transport.send(
                    TransportRequest(
                        method: method, url: base + path, headers: body == nil ? [:] : ["Content-Type": type],
                        body: body.map { Array($0.utf8) })
                ).status
            }
            let model =
                #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:S;1","@type":"Interface","contents":[{"@type":"Property","name":"n","schema":"integer"}]}]"#
            #expect(try await send(.post, "/models?\(v)", model) == 201)
            #expect(
                try await send(.put, "/digitaltwins/s?\(v)", #"{"$metadata":{"$model":"dtmi:ex:S;1"},"n":1}"#) == 200)
            #expect(try await send(.patch, "/digitaltwins/s?\(v)", #"[{"op":"replace","path":"/n","value":2}]"#) == 204)
            #expect(try await send(.get, "/digitaltwins/s?\(v)") == 200)
            let ended = try #require(await gateway.stop())
            #expect(!ended.signalled && ended.status == 0, "twins serve ended with \(ended): \(gateway.errorOutput)")
        }
    }
}
