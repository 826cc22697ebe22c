import ADTWire
import Crypto
import DTDL
import DeviceLifecycle
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO

/// Building responses and reading requests, shared by both emulators.
enum EmulatorHTTP {
    /// `Content-Type` of every JSON body the emulators send (as DPS and IoT Hub do).
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON response.
    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: jsonContentType]
        headers.append(contentsOf: extra)
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }

    /// An empty response (`Content-Length: 0`).
    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentLength] = "0"
        return Response(status: status, headers: h, body: .init())
    }

    /// The request body, at most `limit` bytes; `nil` when it is larger.
    static func body(_ request: Request, limit: Int) async -> [UInt8]? {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: limit) else { return nil }
        return Array(buffer.readableBytesView)
    }

    /// A path parameter, percent-decoded.
    static func parameter(_ context: some RequestContext, _ name: String) -> String? {
        guard let raw = context.parameters.get(name), !raw.isEmpty else { return nil }
        guard raw.contains("%") else { return raw }
        return raw.removingPercentEncoding ?? raw
    }

    /// The host the request was sent to, without port, lower-cased (`Host` / `:authority`).
    static func host(_ request: Request) -> String? {
        guard var authority = request.head.authority, !authority.isEmpty else { return nil }
        if authority.hasPrefix("[") {
            if let end = authority.firstIndex(of: "]") { authority = String(authority[...end]) }
        } else if let colon = authority.lastIndex(of: ":") {
            authority = String(authority[..<colon])
        }
        return authority.lowercased()
    }

    /// A header field name known to be valid.
    static func name(_ text: String) -> HTTPField.Name { HTTPField.Name(text)! }
}

/// Timestamps as DPS and IoT Hub write them.
enum EmulatorTime {
    /// .NET's round-trip format in UTC, with seven fraction digits:
    /// `2022-08-31T22:02:50.5163352Z`.
    /// The time is rounded to the microsecond (PostgreSQL's precision, exact in a `Double`),
    /// so the seventh digit is always 0.
    static func iso(_ date: Date) -> String {
        UTCTimestamp.rfc3339(
            epochMicroseconds: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()), fractionDigits: 7)
    }

    /// What IoT Hub writes for a time that never happened.
    static let never = "0001-01-01T00:00:00Z"

    /// Milliseconds since 1970 (the AMQP `iothub-enqueuedtime` annotation).
    static func epochMilliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// Random values: keys, ids, etags.
enum EmulatorRandom {
    /// A 256-bit key, base64 (44 characters, as DPS and IoT Hub generate them).
    static func key() -> String {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// Lower-case hex of `count` random bytes.
    static func hex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// A lower-case UUID.
    static func uuid() -> String { UUID().uuidString.lowercased() }
}

/// JSON text in and out of `jsonb` columns (bound as text and cast in SQL).
enum JSONText {
    /// The value's compact text.
    static func string(_ value: JSONValue) -> String { JSONWriter.string(value) }

    /// Parses stored text; `nil` when absent or not JSON.
    static func parse(_ text: String?) -> JSONValue? {
        guard let text else { return nil }
        return try? JSONParser.parse(text)
    }

    /// Parses stored text into an object; empty when absent or not an object.
    static func object(_ text: String?) -> JSONObject { parse(text)?.objectValue ?? JSONObject() }
}

extension JSONObject {
    /// A string member, `nil` when absent, not a string or empty.
    func text(_ name: String) -> String? {
        guard let s = self[name]?.stringValue, !s.isEmpty else { return nil }
        return s
    }
}

/// `If-Match` against an etag: `*`, or the same etag, each side quoted or not, weak or not.
func ifMatchAccepts(_ ifMatch: String, _ etag: String) -> Bool {
    func bare(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("W/") { value.removeFirst(2) }
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = String(value.dropFirst().dropLast())
        }
        return value
    }
    let wanted = bare(ifMatch)
    return wanted == "*" || wanted == bare(etag)
}
