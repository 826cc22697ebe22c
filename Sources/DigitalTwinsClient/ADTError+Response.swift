import ADTWire
import Foundation
import HTTPTransport

extension ADTError {
    /// The error a non-2xx response stands for: code and message from the ADT error body
    /// `{"error":{"code","message"}}`, else the `x-ms-error-code` header and the body's text
    /// (also the gateway's and Azure front door's other shapes, e.g. `{"statusCode":401,"message":…}`).
    public init(response: TransportResponse) {
        var code = response.headers["x-ms-error-code"].map(Code.init(rawValue:))
        var message: String?
        if let json = try? JSONParser.parse(response.body), case .object(let body) = json {
            if case .object(let error)? = body["error"] {
                if let c = error["code"]?.stringValue, !c.isEmpty { code = Code(rawValue: c) }
                message = error["message"]?.stringValue
            } else if let text = body["error"]?.stringValue {
                // OAuth-style `{"error": "invalid_client", "error_description": "…"}`.
                code = code ?? Code(rawValue: text)
                message = body["error_description"]?.stringValue
            }
            if message == nil { message = (body["message"] ?? body["Message"])?.stringValue }
        } else if !response.body.isEmpty {
            message = Self.preview(response.body)
        }
        self.init(
            kind: .service, status: response.status, code: code,
            message: message ?? "the service answered HTTP \(response.status)",
            requestID: Self.requestID(response.headers))
    }

    /// `x-ms-request-id`, else the W3C `traceresponse`, else `x-ms-client-request-id`.
    static func requestID(_ headers: HTTPHeaders) -> String? {
        headers["x-ms-request-id"] ?? headers["traceresponse"] ?? headers["x-ms-client-request-id"]
    }

    /// The start of a non-JSON body, on one line (HTML error pages of proxies and load balancers).
    static func preview(_ body: [UInt8], limit: Int = 300) -> String {
        var text = String(decoding: body.prefix(limit), as: UTF8.self)
        text = String(text.map { $0.isNewline ? " " : $0 }).trimmingCharacters(in: .whitespaces)
        return body.count > limit ? text + "…" : text
    }
}
