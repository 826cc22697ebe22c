import ADTWire
import Foundation

extension DigitalTwinsClient {
    /// Runs a query (`POST /query`) and returns its pages, fetched as they are iterated: the
    /// first with `{"query": text}`, the next ones with `{"continuationToken": …}`. Use
    /// `.items` for the rows across pages. Queries do not change data, so they are retried
    /// like idempotent requests.
    ///
    /// - Parameter pageSize: the `max-items-per-page` hint (ADT returns at most 1,000).
    public func query(_ text: String, pageSize: Int? = nil) -> PageSequence<QueryPage> {
        PageSequence { [self] cursor in
            var specification = JSONObject()
            if let cursor {
                specification["continuationToken"] = .string(cursor)
            } else {
                specification["query"] = .string(text)
            }
            var call = Call(method: .post, path: ["query"], body: Self.body(.object(specification)), idempotent: true)
            if let pageSize { call.headers["max-items-per-page"] = String(pageSize) }
            let response = try await perform(call)
            let body = try object(response)
            guard case .array(let rows)? = body["value"] else {
                throw ADTError.invalidResponse("the query response has no value array", status: response.status)
            }
            let token = body["continuationToken"]?.stringValue
            let charge = response.headers["query-charge"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return (QueryPage(items: rows, queryCharge: charge, continuationToken: token), token)
        }
    }
}
