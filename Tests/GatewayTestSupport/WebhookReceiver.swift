import ADTWire
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// A loopback HTTP receiver for tests of outgoing deliveries: records every POST and answers
/// each path from a plan. It answers Event Grid's subscription-validation events as a
/// subscriber does (echoing the code, unless told to refuse) and CloudEvents' abuse-protection
/// `OPTIONS` requests (allowing the origin, unless told to refuse), and records both apart from
/// the other requests.
public actor WebhookReceiver {
    /// A request received.
    public struct Received: Sendable {
        /// The path.
        public let path: String
        /// The query string, without `?`.
        public let query: String
        /// Header values by lower-case name.
        public let headers: [String: String]
        /// The body.
        public let body: [UInt8]
        /// The status answered.
        public let status: Int
        /// When it arrived.
        public let at: ContinuousClock.Instant

        /// The body as JSON, if it is.
        public var json: JSONValue? { try? JSONParser.parse(body) }
    }

    /// Waiting ran out.
    public struct Timeout: Error, CustomStringConvertible {
        /// What did not arrive.
        public let description: String
    }

    /// Every request but the validations.
    public private(set) var received: [Received] = []
    /// The subscription-validation events and abuse-protection requests received.
    public private(set) var validations: [Received] = []
    private var echoesValidation = true

    /// Per path: the statuses to answer, in order; the last one repeats. Default 200.
    private var statuses: [String: [Int]] = [:]
    private var bodies: [String: [UInt8]] = [:]
    private var delays: [String: Duration] = [:]

    /// A receiver; ``run(_:)`` serves it.
    public init() {}

    /// Whether validation requests are accepted (echoed code, allowed origin).
    public func echoValidation(_ echo: Bool) { echoesValidation = echo }

    /// Answers `path` with `statuses` in turn (the last repeats), `body`, after `delay`.
    public func plan(_ path: String, statuses: [Int], body: JSONValue? = nil, delay: Duration? = nil) {
        self.statuses[path] = statuses
        if let body { bodies[path] = JSONWriter.bytes(body) }
        delays[path] = delay
    }

    /// The requests to `path` so far.
    public func requests(_ path: String) -> [Received] { received.filter { $0.path == path } }

    /// Waits until `path` has received `count` requests answered `status` (any status when nil).
    public func wait(_ path: String, count: Int = 1, status: Int? = 200, timeout: Duration = .seconds(30))
        async throws -> [Received]
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let matching = received.filter { $0.path == path && (status == nil || $0.status == status) }
            if matching.count >= count { return matching }
            guard ContinuousClock.now < deadline else {
                throw Timeout(description: "\(path) received \(matching.count) request(s), expected \(count)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func validate(path: String, headers: [String: String], body: [UInt8]) -> [UInt8] {
        validations.append(Received(path: path, query: "", headers: headers, body: body, status: 200, at: .now))
        guard echoesValidation,
            let code = (try? JSONParser.parse(body))?.arrayValue?.first?["data"]?["validationCode"]?.stringValue
        else { return Array("{}".utf8) }
        return JSONWriter.bytes(["validationResponse": .string(code)])
    }

    func allowOrigin(path: String, headers: [String: String]) -> String? {
        validations.append(Received(path: path, query: "", headers: headers, body: [], status: 200, at: .now))
        return echoesValidation ? headers["webhook-request-origin"] : nil
    }

    func delay(_ path: String) -> Duration? { delays[path] }

    func handle(path: String, query: String, headers: [String: String], body: [UInt8]) -> (Int, [UInt8]) {
        var plan = statuses[path] ?? [200]
        let status = plan[0]
        if plan.count > 1 { plan.removeFirst() }
        statuses[path] = plan
        received.append(Received(path: path, query: query, headers: headers, body: body, status: status, at: .now))
        return (status, bodies[path] ?? Array("{}".utf8))
    }

    static let logger: Logger = {
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `body` with a live receiver; passes its base URL (`http://127.0.0.1:port`).
    public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.on("**", method: .options) { request, _ in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            var fields = HTTPFields()
            if let origin = await self.allowOrigin(path: request.uri.path, headers: headers) {
                fields[HTTPField.Name("WebHook-Allowed-Origin")!] = origin
            }
            return Response(status: .ok, headers: fields)
        }
        router.post("**") { request, _ in
            var request = request
            let buffer = try await request.collectBody(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let (status, answer): (Int, [UInt8])
            if headers["aeg-event-type"] == "SubscriptionValidation" {
                (status, answer) = (
                    200,
                    await self.validate(path: request.uri.path, headers: headers, body: Array(buffer.readableBytesView))
                )
            } else {
                if let delay = await self.delay(request.uri.path) { try await Task.sleep(for: delay) }
                (status, answer) = await self.handle(
                    path: request.uri.path, query: request.uri.query ?? "", headers: headers,
                    body: Array(buffer.readableBytesView))
            }
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Self.logger)
        return try await app.test(.live) { client in
            guard let port = client.port else { throw Timeout(description: "the receiver has no port") }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
