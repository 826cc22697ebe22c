import ADTWire
import Foundation
import HTTPTypes
import Hummingbird
import TwinStore

/// The `max-items-per-page` header: a hint, honoured up to the service's cap.
enum PageSize {
    static func of(_ request: Request, cap: Int) throws -> Int {
        guard let text = request.headers[.maxItemsPerPage] else { return cap }
        guard let n = Int(text), n > 0 else {
            throw ServiceError.invalidArgument(
                "The max-items-per-page header must be a positive integer, not '\(text)'.")
        }
        return min(n, cap)
    }
}

/// Opaque, stateless continuation tokens for list paging: the key after which the next page
/// starts (keyset paging, so pages stay stable while others insert), base64url-encoded.
enum ContinuationToken {
    /// A token for any key text (relationship ids).
    static func encode(key: String) -> String {
        Base64URL.encode("v1:\(key)".utf8)
    }

    static func decodeKey(_ token: String) throws -> String {
        guard let bytes = Base64URL.decode(token), let text = String(validating: bytes, as: UTF8.self),
            text.hasPrefix("v1:")
        else { throw invalid }
        return String(text.dropFirst(3))
    }

    static var invalid: ServiceError {
        ServiceError.invalidArgument(
            "The continuation token is invalid. Use the nextLink of the previous page as it is.")
    }
}

/// Absolute links (`nextLink`) on the caller's scheme and host, as ADT writes them.
struct LinkBuilder: Sendable {
    /// `http` or `https`, as the gateway listens.
    let scheme: String

    /// `scheme://host/path?parameters&api-version=…` (api-version last, as ADT does).
    func url(_ request: Request, path: String, parameters: [(String, String)]) -> String {
        let host = request.head.authority ?? "localhost"
        var items = parameters
        if let version = request.uri.queryParameters["api-version"] { items.append(("api-version", String(version))) }
        let query = items.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        return "\(scheme)://\(host)\(path)" + (query.isEmpty ? "" : "?\(query)")
    }

    static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
