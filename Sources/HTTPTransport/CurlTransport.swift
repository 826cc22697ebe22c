import CCurl
import Foundation
import Instrumentation
import Logging
import Observability
import Tracing

/// A ``Transport`` on libcurl: one curl multi handle driven by one dedicated thread serves any
/// number of concurrent requests (no thread per request).
///
/// - Connections are kept in the multi handle's connection cache and reused across requests;
///   easy handles are pooled. TLS session ids and DNS results are shared between transfers.
/// - HTTP/2 is negotiated over TLS when the server offers it (ALPN), and requests to the same
///   host are multiplexed on one connection; plain `http://` uses HTTP/1.1.
/// - TLS peer and host-name verification are always on. ``Configuration/caFile`` replaces the
///   system's trusted authorities with a PEM bundle (e.g. a development gateway's certificate).
/// - Proxies: by default libcurl reads `http_proxy`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`
///   from the environment (lower-case `http_proxy` only, as curl does, to avoid the CGI
///   `HTTP_PROXY` header injection). ``Configuration/proxy`` overrides that.
/// - Name resolution of host names uses libcurl's resolver, which may run a short-lived helper
///   thread per lookup; IP-literal URLs need none.
public final class CurlTransport: Transport {
    /// How the transport connects.
    public struct Configuration: Sendable {
        /// A PEM file of trusted certificate authorities used instead of the system's
        /// (`CURLOPT_CAINFO`); `nil` keeps the system trust store.
        public var caFile: String?
        /// Time allowed to establish a connection, TLS included.
        public var connectTimeout: Duration
        /// Time allowed for a whole request, from start to the last byte of the response.
        public var requestTimeout: Duration
        /// Which proxy to use.
        public var proxy: Proxy
        /// Larger response bodies fail with ``TransportError/Kind-swift.struct/responseTooLarge``.
        /// 256 MiB: a query page of 1,000 twins of ADT's 32 KB maximum is 32 MB.
        public var maxResponseBytes: Int
        /// At most this many connections to one host (0: no limit, libcurl's default). Further
        /// requests wait inside libcurl for a free connection (their timeout runs meanwhile).
        public var maxConnectionsPerHost: Int
        /// Idle easy handles kept for reuse; more are freed when done. 16 covers the usual
        /// burst of a client without holding memory for rare spikes.
        public var maxIdleHandles: Int
        /// Log label for the transport's own diagnostics.
        public var logger: Logger

        /// The defaults: system CAs, 10 s to connect, 100 s per request (as Azure SDKs), proxies
        /// from the environment.
        public init(
            caFile: String? = nil, connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(100),
            proxy: Proxy = .environment, maxResponseBytes: Int = 256 << 20, maxConnectionsPerHost: Int = 0,
            maxIdleHandles: Int = 16, logger: Logger = Logger(label: "DigitalTwinsClient.CurlTransport")
        ) {
            self.caFile = caFile
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.proxy = proxy
            self.maxResponseBytes = maxResponseBytes
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxIdleHandles = maxIdleHandles
            self.logger = logger
        }
    }

    /// Proxy selection.
    public enum Proxy: Sendable, Hashable {
        /// libcurl's default: the `*_proxy` / `NO_PROXY` environment variables.
        case environment
        /// Never use a proxy, whatever the environment says.
        case none
        /// This proxy URL (e.g. `http://proxy:3128`); `NO_PROXY` still applies.
        case url(String)
    }

    /// A transport shared by the process (started on first use, never stopped). Credentials use
    /// it unless given another.
    public static let shared = CurlTransport()

    /// The configuration this transport was created with.
    public let configuration: Configuration
    private let loop: CurlMultiLoop

    /// A transport; its thread starts with the first request.
    public init(configuration: Configuration = Configuration()) {
        _ = Self.globalInit
        self.configuration = configuration
        self.loop = CurlMultiLoop(configuration: configuration)
    }

    deinit { loop.shutdown() }

    /// This transport's thread (for tests): started how many times, and running or not.
    package var threadRecord: CurlThreadRecord { loop.threadRecord }

    /// libcurl's process-wide initialisation, once, before any handle is made.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// Sends the request on the transport's thread and waits for the response. Cancelling the
    /// calling task aborts the transfer and throws `CancellationError`.
    ///
    /// While tracing is on (``TraceContext``), each request is a client span whose `traceparent`
    /// the request carries on, unless the caller set its own.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        guard TraceContext.isTracing, InstrumentationContext.current != nil else { return try await transfer(request) }
        return try await TraceContext.withSpan("HTTP \(request.method.rawValue)", ofKind: .client) { span in
            var request = request
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.full"] = Self.withoutQuery(request.url)
            if !request.headers.contains("traceparent"), let parent = TraceContext.currentTraceparent() {
                request.headers["traceparent"] = parent
            }
            do {
                let response = try await transfer(request)
                span.attributes["http.response.status_code"] = response.status
                if response.status >= 500 { span.setStatus(SpanStatus(code: .error)) }
                return response
            } catch {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error))
                throw error
            }
        }
    }

    /// The URL without its query, which may hold a signature (`sig=`, `code=`).
    static func withoutQuery(_ url: String) -> String {
        String(url.prefix { $0 != "?" })
    }

    private func transfer(_ request: TransportRequest) async throws -> TransportResponse {
        try Task.checkCancellation()
        let transfer = CurlTransfer(request: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                loop.submit(transfer, continuation)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Stops the thread; requests in flight fail with ``TransportError/Kind-swift.struct/shutdown``.
    /// Also done when the transport is released.
    public func shutdown() { loop.shutdown() }

    /// The libcurl version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.11 ... nghttp2/1.52.0`.
    public static var curlVersion: String { String(cString: curl_version()) }
}
