/// An HTTP method. Only the name is carried; whether a request may be retried after it reached
/// the server is decided by ``TransportRequest/isIdempotent``.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method name as sent on the wire, e.g. `GET`.
    public var rawValue: String
    /// A method with this name (upper case by convention).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `GET`.
    public static let get = HTTPMethod(rawValue: "GET")
    /// `HEAD`.
    public static let head = HTTPMethod(rawValue: "HEAD")
    /// `PUT`.
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `POST`.
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PATCH`.
    public static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`.
    public static let delete = HTTPMethod(rawValue: "DELETE")
    /// `OPTIONS`.
    public static let options = HTTPMethod(rawValue: "OPTIONS")

    /// Whether repeating the method has the same effect as sending it once (RFC 9110 §9.2.2).
    public var isIdempotent: Bool {
        switch self {
        case .get, .head, .put, .delete, .options: return true
        default: return false
        }
    }

    /// A one-line rendering for logs and messages.
    public var description: String { rawValue }
}

/// HTTP header fields in order. Names compare case-insensitively; a name may repeat.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible,
    CustomReflectable
{
    /// The fields in the order they were added or received.
    public private(set) var fields: [(name: String, value: String)]

    /// No fields.
    public init() { fields = [] }

    /// The given fields, in order.
    public init(_ fields: [(name: String, value: String)]) { self.fields = fields }

    /// The fields of a dictionary literal, in order.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of the field, or `nil`. Setting replaces every field of that name
    /// (appending when absent); setting `nil` removes them.
    public subscript(name: String) -> String? {
        get { fields.first { Self.same($0.name, name) }?.value }
        set {
            guard let newValue else {
                fields.removeAll { Self.same($0.name, name) }
                return
            }
            if let i = fields.firstIndex(where: { Self.same($0.name, name) }) {
                fields[i].value = newValue
                var j = fields.index(after: i)
                while j < fields.endIndex {
                    if Self.same(fields[j].name, name) { fields.remove(at: j) } else { j += 1 }
                }
            } else {
                fields.append((name, newValue))
            }
        }
    }

    /// Every value of the field, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.same($0.name, name) }.map(\.value)
    }

    /// Appends a field, keeping any others of the same name.
    public mutating func add(name: String, value: String) { fields.append((name, value)) }

    /// Whether a field of that name is present.
    public func contains(_ name: String) -> Bool { fields.contains { Self.same($0.name, name) } }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// Names only: header values may carry credentials, so they are never rendered.
    public var description: String { "[" + fields.map(\.name).joined(separator: ", ") + "]" }

    /// Names only, also for `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, unlabeledChildren: fields.map(\.name), displayStyle: .collection) }

    /// Equal when the same fields (names compared case-insensitively) come in the same order.
    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { Self.same($0.name, $1.name) && $0.value == $1.value }
    }

    /// Hashes consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        for f in fields {
            hasher.combine(f.name.lowercased())
            hasher.combine(f.value)
        }
    }

    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.lowercased() == b.lowercased()
    }
}

/// A request for a ``Transport``: everything in memory, the body included. Printing it shows
/// the method, the URL without query, header names and the body's size, never values that
/// could be secrets (an `Authorization` header, a client secret in a form body).
public struct TransportRequest: Sendable, CustomStringConvertible, CustomReflectable {
    /// The method.
    public var method: HTTPMethod
    /// The absolute URL, already percent-encoded.
    public var url: String
    /// The header fields to send (the transport may add `Host`, `Content-Length`, `Accept-Encoding`).
    public var headers: HTTPHeaders
    /// The body, or `nil` for none.
    public var body: [UInt8]?
    /// Whether the request may be repeated after it may have reached the server (used by
    /// ``RetryPolicy``). Defaults to the method's idempotency; set it for a POST that is safe to
    /// repeat, such as a query.
    public var isIdempotent: Bool
    /// Overrides the transport's total timeout for this request.
    public var timeout: Duration?
    /// Overrides the transport's connect timeout for this request.
    public var connectTimeout: Duration?
    /// Send directly even when the environment names a proxy (used for the managed identity
    /// endpoints, which are local to the host and must not be proxied).
    public var bypassProxy: Bool
    /// When set, the response body is passed here piece by piece as it arrives (on the
    /// transport's thread: return quickly) instead of being collected; the response's `body` is
    /// then empty. For streams that do not end, such as Server-Sent Events.
    public var bodyChunks: (@Sendable ([UInt8]) -> Void)?

    /// A request; `isIdempotent` defaults to the method's.
    public init(
        method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
        isIdempotent: Bool? = nil, timeout: Duration? = nil, connectTimeout: Duration? = nil,
        bypassProxy: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.isIdempotent = isIdempotent ?? method.isIdempotent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.bypassProxy = bypassProxy
        bodyChunks = nil
    }

    /// A one-line rendering for logs and messages.
    public var description: String {
        let path = url.firstIndex(of: "?").map { String(url[..<$0]) } ?? url
        return "\(method) \(path) headers: \(headers) body: \(body?.count ?? 0) bytes"
    }

    /// A mirror without secret values, for `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["summary": description]) }
}

/// A complete response: status, header fields and the whole body.
public struct TransportResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The header fields of the final response (not of interim 1xx responses).
    public var headers: HTTPHeaders
    /// The body, decoded from any content coding.
    public var body: [UInt8]
    /// The HTTP version used, e.g. `"1.1"` or `"2"`, when the transport knows it.
    public var httpVersion: String?

    /// A response.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], httpVersion: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }
}
