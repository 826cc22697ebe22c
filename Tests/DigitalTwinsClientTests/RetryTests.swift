import DigitalTwinsClient
import Foundation
import HTTPTransport
import Testing

extension ClientTests {
    @Suite struct RetryTests {
        static let twin = Reply.json(#"{"$dtId":"t"}"#)

        @Test func retries429WithRetryAfterZero() async throws {
            let server = try LoopbackServer(script: [.status(429, headers: [("Retry-After", "0")]), Self.twin])
            let client = try makeClient(server, retry: RetryPolicy())  // default 0.8 s base: Retry-After must win
            let started = ContinuousClock.now
            #expect(try await client.getTwin(id: "t").id == "t")
            #expect(server.requests.count == 2)
            #expect(ContinuousClock.now - started < .milliseconds(700))
        }

        @Test func retries429WithRetryAfterMs() async throws {
            let server = try LoopbackServer(script: [
                .status(429, headers: [("retry-after-ms", "20")]),
                .status(429, headers: [("x-ms-retry-after-ms", "10")]), Self.twin,
            ])
            let client = try makeClient(server, retry: RetryPolicy())
            let started = ContinuousClock.now
            _ = try await client.getTwin(id: "t")
            #expect(server.requests.count == 3)
            #expect(ContinuousClock.now - started < .milliseconds(700))
        }

        @Test func throttledWritesAreRetried() async throws {
            let server = try LoopbackServer(script: [.status(429, headers: [("Retry-After", "0")]), .status(204)])
            let client = try makeClient(server)
            try await client.updateTwin(id: "t", patch: [.replace("/a", 1)])
            #expect(server.requests.count == 2)
        }

        @Test func retries503ThenSucceeds() async throws {
            let server = try LoopbackServer(script: [.status(503), .status(503), Self.twin])
            let client = try makeClient(server)
            _ = try await client.getTwin(id: "t")
            #expect(server.requests.count == 3)
        }

        @Test func givesUpAfterMaxRetries() async throws {
            let server = try LoopbackServer(script: [.status(503)])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) { _ = try await client.getTwin(id: "t") }
            #expect(error?.status == 503)
            #expect(server.requests.count == 4)  // 1 + 3 retries
        }

        @Test func retriesADroppedConnectionForGet() async throws {
            let server = try LoopbackServer(script: [.drop, Self.twin])
            let client = try makeClient(server)
            _ = try await client.getTwin(id: "t")
            #expect(server.requests.count == 2)
        }

        @Test func patchIsNotRetriedOn500() async throws {
            let server = try LoopbackServer(script: [.status(500), .status(204)])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) {
                try await client.updateTwin(id: "t", patch: [.replace("/a", 1)])
            }
            #expect(error?.status == 500)
            #expect(server.requests.count == 1)
        }

        @Test func patchIsNotRetriedAfterTheConnectionDropped() async throws {
            let server = try LoopbackServer(script: [.drop, .status(204)])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) {
                try await client.updateTwin(id: "t", patch: [.replace("/a", 1)])
            }
            #expect(error?.kind == .transport)
            #expect(error?.transportError?.requestMayHaveBeenSent == true)
            #expect(server.requests.count == 1)
        }

        @Test func queryPostIsRetriedOn500() async throws {
            let server = try LoopbackServer(script: [
                .status(500), .json(#"{"value":[{"$dtId":"a"}],"continuationToken":null}"#),
            ])
            let client = try makeClient(server)
            let rows = try await client.query("SELECT * FROM digitaltwins").items.collect()
            #expect(rows.count == 1)
            #expect(server.requests.count == 2)
        }

        @Test func nonIdempotentPostIsRetriedOnConnectFailure() async throws {
            let port = LoopbackServer.closedPort()
            let counting = CountingTransport(inner: CurlTransport())
            let client = try DigitalTwinsClient(
                endpoint: "http://127.0.0.1:\(port)", options: .init(retryPolicy: .fast), transport: counting)
            let error = await #expect(throws: ADTError.self) {
                _ = try await client.createModels([json(#"{"@id":"dtmi:a;1"}"#)])
            }
            #expect(error?.transportError?.kind == .connect)
            #expect(counting.counter.value == 4)
        }

        @Test func serverWaitLongerThanAllowedIsNotWaitedFor() async throws {
            let server = try LoopbackServer(script: [.status(429, headers: [("Retry-After", "3600")]), Self.twin])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) { _ = try await client.getTwin(id: "t") }
            #expect(error?.status == 429)
            #expect(server.requests.count == 1)
        }

        @Test func backoffIsExponentialWithJitterAndCapped() {
            let policy = RetryPolicy(baseDelay: .milliseconds(800), maxDelay: .seconds(3))
            #expect(policy.backoff(retry: 1, jitter: 1) == .milliseconds(800))
            #expect(policy.backoff(retry: 2, jitter: 1) == .milliseconds(1600))
            #expect(policy.backoff(retry: 3, jitter: 1) == .seconds(3))  // 3.2 s capped
            #expect(policy.backoff(retry: 30, jitter: 1.2) == .seconds(3))
            #expect(policy.backoff(retry: 1, jitter: 0.8) == .milliseconds(640))
            for retry in 1...10 {
                let delay = policy.backoff(retry: retry)
                #expect(delay <= .seconds(3))
                #expect(delay >= .milliseconds(640))
            }
        }

        @Test func backoffCapBoundsTheTotalWait() async throws {
            let server = try LoopbackServer(script: [.status(503)])
            let policy = RetryPolicy(maxRetries: 3, baseDelay: .seconds(10), maxDelay: .milliseconds(50))
            let client = try makeClient(server, retry: policy)
            let started = ContinuousClock.now
            await #expect(throws: ADTError.self) { _ = try await client.getTwin(id: "t") }
            #expect(server.requests.count == 4)
            #expect(ContinuousClock.now - started < .seconds(2))
        }

        @Test func retryAfterForms() {
            let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
            #expect(RetryPolicy.retryAfter(["Retry-After": "2"], now: now) == .seconds(2))
            #expect(RetryPolicy.retryAfter(["Retry-After": "0.5"], now: now) == .milliseconds(500))
            #expect(RetryPolicy.retryAfter(["Retry-After": "Sun, 06 Nov 1994 08:49:47 GMT"], now: now) == .seconds(10))
            #expect(RetryPolicy.retryAfter(["Retry-After": "Sun, 06 Nov 1994 08:49:27 GMT"], now: now) == .zero)
            #expect(
                RetryPolicy.retryAfter(["retry-after-ms": "250", "Retry-After": "9"], now: now) == .milliseconds(250))
            #expect(RetryPolicy.retryAfter(["x-ms-retry-after-ms": "30"], now: now) == .milliseconds(30))
            #expect(RetryPolicy.retryAfter(["Retry-After": "soon"], now: now) == nil)
            #expect(RetryPolicy.retryAfter([:], now: now) == nil)
        }
    }
}
