import Foundation
import HTTPTransport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A loopback proxy in front of a gateway that answers every other request 429 with
/// `Retry-After: 0` (as a throttled ADT instance does) and passes the rest on, for tests of
/// clients that must ride out throttling.
public actor ThrottlingProxy {
    /// Requests answered 429, and passed on.
    public private(set) var throttled = 0
    /// Requests passed on.
    public private(set) var passed = 0
    private var count = 0
    let target: String
    let transport = CurlTransport()

    /// A proxy to `target` (`http://127.0.0.1:port`).
    public init(target: String) { self.target = target }

    func nextIsThrottled() -> Bool {
        count += 1
        if count % 2 == 0 {
            throttled += 1
            return true
        }
        passed += 1
        return false
    }

    static let logger: Logger = {
        var logger = Logger(label: "throttling-proxy")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `body` with the proxy's URL.
    public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        let forward: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            if await self.nextIsThrottled() {
                return Response(
                    status: .tooManyRequests, headers: [.retryAfter: "0", .contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string:
                                #"{"error":{"code":"TooManyRequests","message":"Maximum request rate limit reached."}}"#
                        )))
            }
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            var headers = HTTPTransport.HTTPHeaders()
            for field in request.headers where field.name != .contentLength {
                headers.add(name: field.name.rawName, value: field.value)
            }
            let answer = try await self.transport.send(
                TransportRequest(
                    method: .init(rawValue: request.method.rawValue), url: self.target + (request.uri.description),
                    headers: headers,
                    body: body.readableBytes > 0 || request.method != .get ? Array(body.readableBytesView) : nil))
            var fields = HTTPFields()
            for field in answer.headers {
                guard let name = HTTPField.Name(field.name), name != .contentLength, name != .transferEncoding else {
                    continue
                }
                fields.append(HTTPField(name: name, value: field.value))
            }
            return Response(
                status: .init(code: answer.status), headers: fields,
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        for method: HTTPRequest.Method in [.get, .put, .post, .patch, .delete] {
            router.on("**", method: method, use: forward)
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Self.logger)
        return try await app.test(.live) { client in
            guard let port = client.port else { throw CancellationError() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
