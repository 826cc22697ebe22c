import ADTWire
import DTDL
import Foundation

/// A query's continuation token: the query text, the keys of the last row served and, under
/// `TOP(n)`, the rows still allowed. Stateless (the server keeps nothing between pages) and
/// opaque to clients: base64url of a small JSON object.
struct QueryContinuationToken {
    var query: String
    var after: [String]?
    var remaining: Int?

    static let invalid = ServiceError("BadRequest", "The continuation token is invalid.")

    init(query: String, after: [String]?, remaining: Int?) {
        self.query = query
        self.after = after
        self.remaining = remaining
    }

    init(decoding text: String) throws {
        guard let bytes = Base64URL.decode(text), let json = try? JSONParser.parse(bytes),
            case .string(let query)? = json["q"], case .array(let keys)? = json["k"]
        else { throw Self.invalid }
        var after: [String] = []
        for key in keys {
            guard case .string(let k) = key else { throw Self.invalid }
            after.append(k)
        }
        var remaining: Int?
        if let r = json["r"] {
            guard case .integer(let n) = r, n > 0 else { throw Self.invalid }
            remaining = Int(n)
        }
        self.init(query: query, after: after, remaining: remaining)
    }

    var encoded: String {
        var object = JSONObject()
        object["q"] = .string(query)
        object["k"] = .array((after ?? []).map { .string($0) })
        if let remaining { object["r"] = .integer(Int64(remaining)) }
        return Base64URL.encode(JSONWriter.bytes(.object(object)))
    }
}
