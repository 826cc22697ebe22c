import DigitalTwinsClient
import Foundation
import HTTPTransport
import Testing

extension ClientTests {
    @Suite struct ErrorTests {
        @Test func adtErrorBodyIsDecoded() async throws {
            let server = try LoopbackServer(script: [
                .json(
                    #"{"error":{"code":"DigitalTwinNotFound","message":"There is no digital twin instance that exists with the ID nope."}}"#,
                    status: 404, headers: [("x-ms-error-code", "DigitalTwinNotFound"), ("x-ms-request-id", "req-42")])
            ])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) { _ = try await client.getTwin(id: "nope") }
            #expect(error?.kind == .service)
            #expect(error?.status == 404)
            #expect(error?.code == .digitalTwinNotFound)
            #expect(error?.message == "There is no digital twin instance that exists with the ID nope.")
            #expect(error?.requestID == "req-42")
            #expect(error?.isNotFound == true)
            #expect(server.requests.count == 1)  // 404 is not retried
        }

        @Test func codeFromHeaderAndRequestIDFromTraceresponse() async throws {
            let trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let server = try LoopbackServer(script: [
                .status(412, headers: [("x-ms-error-code", "PreconditionFailed"), ("traceresponse", trace)])
            ])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) {
                _ = try await client.updateTwin(id: "t", patch: [.replace("/a", 1)], ifMatch: #"W/"old""#)
            }
            #expect(error?.code == .preconditionFailed)
            #expect(error?.isPreconditionFailed == true)
            #expect(error?.requestID == trace)
            #expect(error?.message == "the service answered HTTP 412")
        }

        @Test func otherErrorShapes() throws {
            let unauthorized = ADTError(
                response: TransportResponse(
                    status: 401, body: Array(#"{"statusCode":401,"message":"Unauthorized"}"#.utf8)))
            #expect(unauthorized.message == "Unauthorized")
            #expect(unauthorized.code == nil)
            let html = ADTError(
                response: TransportResponse(status: 502, body: Array("<html>\n<body>Bad gateway</body></html>".utf8)))
            #expect(html.message == "<html> <body>Bad gateway</body></html>")
            #expect("\(html)".hasPrefix("ADT error 502: "))
        }

        @Test func transportFailureIsASeparateKind() async throws {
            let port = LoopbackServer.closedPort()
            let client = try DigitalTwinsClient(
                endpoint: "http://127.0.0.1:\(port)", options: .init(retryPolicy: .none))
            let error = await #expect(throws: ADTError.self) { _ = try await client.getTwin(id: "x") }
            #expect(error?.kind == .transport)
            #expect(error?.transportError?.kind == .connect)
            #expect(error?.status == nil)
        }

        @Test func invalidJSONInASuccessIsAnInvalidResponse() async throws {
            let server = try LoopbackServer(script: [.json("not json")])
            let client = try makeClient(server)
            let error = await #expect(throws: ADTError.self) { _ = try await client.getTwin(id: "x") }
            #expect(error?.kind == .invalidResponse)
        }
    }
}
