import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// A loopback stand-in for Azure Blob storage, as far as import jobs use it: `GET` of a stored
/// blob (the input), `Put Blob` of an append blob, `Append Block` with
/// `x-ms-blob-condition-appendpos` (412 when the position is not the blob's length, as Azure
/// answers), and `HEAD`. It records every call, so tests check the wire, and can fail appends.
public actor BlobServer {
    /// A call received.
    public struct Call: Sendable {
        /// The method.
        public let method: String
        /// The path (`/container/blob`).
        public let path: String
        /// The query string, without `?`.
        public let query: String
        /// Header values by lower-case name.
        public let headers: [String: String]
        /// The body's size.
        public let bodySize: Int
        /// The status answered.
        public let status: Int
    }

    /// Every call, in order.
    public private(set) var calls: [Call] = []
    private var blobs: [String: [UInt8]] = [:]
    private var appendBlobs: Set<String> = []
    /// Appends to fail with 500 before doing anything, and appends to apply but answer 500 (a
    /// lost acknowledgement).
    private var failAppends = 0
    private var loseAppendAcks = 0

    /// An empty store; ``run(_:)`` serves it.
    public init() {}

    /// Stores a blob (an import's input).
    public func put(_ path: String, _ text: String) { blobs[path] = Array(text.utf8) }

    /// A blob's content, as text.
    public func text(_ path: String) -> String? { blobs[path].map { String(decoding: $0, as: UTF8.self) } }

    /// Makes the next `count` appends fail (500) without writing.
    public func failNextAppends(_ count: Int) { failAppends = count }

    /// Makes the next `count` appends write, then answer 500 as if the answer were lost.
    public func loseNextAppendAcks(_ count: Int) { loseAppendAcks = count }

    func handle(method: String, path: String, query: String, headers: [String: String], body: [UInt8])
        -> (Int, [String: String], [UInt8])
    {
        var status = 200
        var answerHeaders: [String: String] = [:]
        var answer: [UInt8] = []
        switch method {
        case "GET":
            if let blob = blobs[path] { answer = blob } else { status = 404 }
        case "HEAD":
            if let blob = blobs[path] { answerHeaders["Content-Length"] = String(blob.count) } else { status = 404 }
        case "PUT" where query.split(separator: "&").contains("comp=appendblock"):
            if !appendBlobs.contains(path) {
                status = 404
            } else if failAppends > 0 {
                failAppends -= 1
                status = 500
            } else if let position = headers["x-ms-blob-condition-appendpos"].flatMap(Int.init),
                position != blobs[path, default: []].count
            {
                status = 412
                answer = Array(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AppendPositionConditionNotMet</Code></Error>"
                        .utf8)
            } else {
                blobs[path, default: []].append(contentsOf: body)
                status = 201
                if loseAppendAcks > 0 {
                    loseAppendAcks -= 1
                    status = 500
                }
            }
        case "PUT":
            if headers["x-ms-blob-type"] == "AppendBlob" {
                appendBlobs.insert(path)
                blobs[path] = []
                status = 201
            } else {
                status = 400
            }
        default:
            status = 405
        }
        calls.append(
            Call(method: method, path: path, query: query, headers: headers, bodySize: body.count, status: status))
        return (status, answerHeaders, answer)
    }

    static let logger: Logger = {
        var logger = Logger(label: "blob-server")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `body` with a live server; passes its base URL (`http://127.0.0.1:port`).
    public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.on("**", method: .get) { request, _ in try await self.respond(request) }
        router.on("**", method: .head) { request, _ in try await self.respond(request) }
        router.on("**", method: .put) { request, _ in try await self.respond(request) }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Self.logger)
        return try await app.test(.live) { client in
            guard let port = client.port else { throw CancellationError() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }

    private func respond(_ request: Request) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let (status, answerHeaders, answer) = handle(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
            headers: headers, body: Array(buffer.readableBytesView))
        var fields = HTTPFields()
        for (name, value) in answerHeaders { fields[HTTPField.Name(name)!] = value }
        if request.method == .head {
            return Response(status: .init(code: status), headers: fields)
        }
        return Response(
            status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer)))
    }
}
