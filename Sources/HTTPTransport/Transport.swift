/// Sends HTTP requests. ``CurlTransport`` is the real one; tests and middleware wrap it
/// (counting, fault injection, recording).
public protocol Transport: Sendable {
    /// Sends the request and returns the complete response, whatever its status. Throws
    /// ``TransportError`` when no response was received, or `CancellationError`.
    func send(_ request: TransportRequest) async throws -> TransportResponse
}

/// A request that got no HTTP response: the connection could not be made, broke, or timed out.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely; decides whether a retry is safe.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// Name resolution or TCP/TLS connection set-up failed: nothing was sent.
        public static let connect = Kind(name: "connect")
        /// The connect or total timeout expired.
        public static let timeout = Kind(name: "timeout")
        /// The connection closed or failed after it was established.
        public static let connectionLost = Kind(name: "connectionLost")
        /// The server's certificate was not trusted or did not match (never retried).
        public static let tls = Kind(name: "tls")
        /// The request could not be sent as given (bad URL, unsupported scheme).
        public static let invalidRequest = Kind(name: "invalidRequest")
        /// The response body exceeded the transport's limit.
        public static let responseTooLarge = Kind(name: "responseTooLarge")
        /// The transport was shut down.
        public static let shutdown = Kind(name: "shutdown")
        /// Anything else.
        public static let other = Kind(name: "other")
        /// A one-line rendering for logs and messages.
        public var description: String { name }
    }

    /// The kind of failure.
    public var kind: Kind
    /// A human-readable reason (from libcurl's error buffer where there is one).
    public var message: String
    /// Whether any byte of the request may have reached the server. When `false`, retrying
    /// is safe for every method.
    public var requestMayHaveBeenSent: Bool
    /// libcurl's `CURLcode`, when the failure came from libcurl.
    public var curlCode: Int?

    /// A transport error.
    public init(kind: Kind, message: String, requestMayHaveBeenSent: Bool, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.requestMayHaveBeenSent = requestMayHaveBeenSent
        self.curlCode = curlCode
    }

    /// A one-line rendering for logs and messages.
    public var description: String {
        "\(kind): \(message)" + (curlCode.map { " (curl error \($0))" } ?? "")
    }
}
