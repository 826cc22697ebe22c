import ADTWire
import DTDL
import HTTPTypes
import Hummingbird
import TwinStore

/// Building ADT-shaped responses.
enum ADTResponse {
    /// `Content-Type` of every JSON body ADT sends.
    static let jsonHeaders: HTTPFields = [.contentType: "application/json; charset=utf-8"]

    /// A JSON response from ready-made bytes.
    static func json(_ status: HTTPResponse.Status = .ok, bytes: [UInt8], headers extra: HTTPFields = [:]) -> Response {
        var headers = jsonHeaders
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON response from a value.
    static func json(_ status: HTTPResponse.Status = .ok, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        json(status, bytes: JSONWriter.bytes(value), headers: headers)
    }

    /// ADT's empty success: 204, `Content-Length: 0`, no `Content-Type`.
    static func noContent(headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentLength] = "0"
        return Response(status: .noContent, headers: h, body: .init())
    }

    /// Reads a JSON request body of at most `limit` bytes; an empty, oversized or malformed body
    /// is refused with ADT's error shape before anything changes.
    static func jsonBody(_ request: Request, limit: Int) async throws -> JSONValue {
        try await jsonBodyAndSize(request, limit: limit).value
    }

    /// `jsonBody`, with the number of bytes received (for size limits on the raw body).
    static func jsonBodyAndSize(_ request: Request, limit: Int) async throws -> (value: JSONValue, size: Int) {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw ServiceError(
                "PayloadTooLarge", "The request body is larger than the \(limit) bytes this service accepts.")
        }
        let bytes = buffer.readableBytesView
        do {
            let value =
                try bytes.withContiguousStorageIfAvailable { try JSONParser.parse($0) }
                ?? JSONParser.parse(Array(bytes))
            return (value, bytes.count)
        } catch let error as JSONParseError {
            throw ServiceError.invalidArgument("Payload is invalid. The request body is not valid JSON: \(error).")
        }
    }

    /// A twin, relationship or patch body: read up to `limit`, then ADT's 32 KB limit on the
    /// bytes received (`ValidationFailed`).
    static func instanceBody(_ request: Request, limit: Int) async throws -> JSONValue {
        let (value, size) = try await jsonBodyAndSize(request, limit: limit)
        do {
            try InstanceLimits.adt.checkBodySize(size)
        } catch {
            throw ServiceError(error)
        }
        return value
    }
}
