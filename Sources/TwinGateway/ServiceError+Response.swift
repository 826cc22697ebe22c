import ADTWire
import DTDL
import Foundation
import HTTPTypes
import Hummingbird
import TwinStore

/// ADT's error shape: `{"error":{"code":"…","message":"…"}}`, with `x-ms-error-code` and ADT's
/// status for the code (`ADTErrorCode.httpStatus`).
extension ServiceError: HTTPResponseError {
    /// ADT's HTTP status for the error's code.
    public var status: HTTPResponse.Status { .init(code: code.httpStatus) }

    /// The error as an HTTP response, for Hummingbird (the request is not used).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The error as an HTTP response.
    public func response() -> Response {
        var error = JSONObject()
        error["code"] = .string(code.rawValue)
        error["message"] = .string(message)
        if !details.isEmpty {
            error["details"] = .array(
                details.map {
                    .object(
                        JSONObject([(key: "code", value: .string(code.rawValue)), (key: "message", value: .string($0))])
                    )
                })
        }
        let body = JSONWriter.bytes(.object(JSONObject([(key: "error", value: .object(error))])))
        var headers = ADTResponse.jsonHeaders
        headers[.xMsErrorCode] = code.rawValue
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension HTTPField.Name {
    /// ADT's error code header.
    static let xMsErrorCode = Self("x-ms-error-code")!
    /// W/3C trace context, request side.
    static let traceparent = Self("traceparent")!
    /// W/3C trace context echoed by ADT.
    static let traceresponse = Self("traceresponse")!
    /// Telemetry message id (required).
    static let messageID = Self("Message-Id")!
    /// Telemetry source time (optional).
    static let telemetrySourceTime = Self("Telemetry-Source-Time")!
    /// Page size hint of list operations.
    static let maxItemsPerPage = Self("max-items-per-page")!
}
