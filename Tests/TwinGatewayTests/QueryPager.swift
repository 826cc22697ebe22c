import ADTWire
import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Drives `POST /query` the way the ADT SDKs do: the first request carries the query text, each
/// following one only the `continuationToken` of the previous page, until the token is null.
enum QueryPager {
    static let v = GatewayTest.version
    static let pageSizeHeader = HTTPField.Name("max-items-per-page")!
    static let chargeHeader = HTTPField.Name("query-charge")!

    /// One `POST /query` response.
    struct Page {
        var status: Int
        var body: JSONValue?
        /// The rows of a 200 page.
        var rows: [JSONValue]
        /// The continuation token: nil when the page said `null` (or had none).
        var token: String?
        /// Problems with the page's shape (missing `continuationToken` member, bad `query-charge`, ...).
        var shapeProblems: [String]
        /// ADT error code of an error response (`error.code`).
        var errorCode: String?
        var errorMessage: String?
    }

    /// The outcome of a whole query.
    struct Outcome {
        /// All rows of all pages, in order (empty on error).
        var rows: [JSONValue]
        /// Number of pages read.
        var pages: Int
        /// Rows per page.
        var pageSizes: [Int]
        /// Set when a page was not 200: that page's status and ADT error code.
        var errorStatus: Int?
        var errorCode: String?
        var errorMessage: String?
        /// Shape problems met on any page.
        var shapeProblems: [String]
    }

    /// Sends one request body (already JSON text).
    static func post(
        _ http: any TestClientProtocol, body: String, pageSize: Int? = nil
    ) async throws -> Page {
        var headers: HTTPFields = [:]
        if let pageSize { headers[pageSizeHeader] = String(pageSize) }
        let response = try await http.send(.post, "/query?\(v)", body, headers: headers)
        var problems: [String] = []
        let parsed = try? GatewayTest.json(response)
        guard response.status == .ok else {
            let code = parsed?["error"]?["code"]?.stringValue
            if let code, response.headers[HTTPField.Name("x-ms-error-code")!] != code {
                problems.append("x-ms-error-code header does not match error.code \(code)")
            }
            return Page(
                status: Int(response.status.code), body: parsed, rows: [], token: nil, shapeProblems: problems,
                errorCode: code, errorMessage: parsed?["error"]?["message"]?.stringValue)
        }
        guard let body = parsed, let object = body.objectValue else {
            return Page(
                status: 200, body: parsed, rows: [], token: nil, shapeProblems: ["body is not a JSON object"],
                errorCode: nil, errorMessage: nil)
        }
        let rows = object["value"]?.arrayValue
        if rows == nil { problems.append("no 'value' array") }
        var token: String?
        switch object["continuationToken"] {
        case .none: problems.append("no 'continuationToken' member (the last page must say null)")
        case .some(.null): token = nil
        case .some(.string(let s)): token = s
        case .some(let other): problems.append("continuationToken is \(JSONWriter.string(other))")
        }
        if let charge = response.headers[chargeHeader] {
            if let n = Double(charge), n > 0 {
            } else {
                problems.append("query-charge '\(charge)' is not a positive number")
            }
        } else {
            problems.append("no query-charge header")
        }
        return Page(
            status: 200, body: body, rows: rows ?? [], token: token, shapeProblems: problems, errorCode: nil,
            errorMessage: nil)
    }

    /// JSON text of `{"query": ...}`, `{"continuationToken": ...}` or both.
    static func requestBody(query: String? = nil, token: String? = nil) -> String {
        var object = JSONObject()
        if let query { object["query"] = .string(query) }
        if let token { object["continuationToken"] = .string(token) }
        return JSONWriter.string(.object(object))
    }

    /// Runs `query` and follows continuation tokens until one is null. With `pageSize`, every
    /// request carries `max-items-per-page`. Stops after `maxPages` pages (a loop guard).
    static func fetchAll(
        _ http: any TestClientProtocol, _ query: String, pageSize: Int? = nil, maxPages: Int = 200
    ) async throws -> Outcome {
        var outcome = Outcome(rows: [], pages: 0, pageSizes: [], shapeProblems: [])
        var page = try await post(http, body: requestBody(query: query), pageSize: pageSize)
        while true {
            outcome.pages += 1
            outcome.shapeProblems += page.shapeProblems
            guard page.status == 200 else {
                outcome.errorStatus = page.status
                outcome.errorCode = page.errorCode
                outcome.errorMessage = page.errorMessage
                outcome.rows = []
                return outcome
            }
            outcome.rows += page.rows
            outcome.pageSizes.append(page.rows.count)
            guard let token = page.token else { return outcome }
            if outcome.pages >= maxPages {
                outcome.shapeProblems.append("still a continuation token after \(maxPages) pages")
                return outcome
            }
            page = try await post(http, body: requestBody(token: token), pageSize: pageSize)
        }
    }
}
