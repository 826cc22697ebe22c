import ADTWire
import Foundation
import HTTPTransport
import Logging

/// A client of the Azure Digital Twins data plane: models, twins, relationships, components,
/// telemetry and queries as typed async calls. Works the same against the gateway (no
/// credential for a local one without auth) and a real ADT instance with an Azure AD
/// credential.
///
/// ```swift
/// let client = try DigitalTwinsClient(
///     endpoint: "https://my-instance.api.weu.digitaltwins.azure.net", credential: DefaultAzureCredential())
/// let twin = try await client.getTwin(id: "room 1")
/// for try await row in client.query("SELECT * FROM digitaltwins").items { … }
/// ```
///
/// Every call throws ``ADTError`` (or `CancellationError` when its task is cancelled). Requests
/// are retried as described by ``RetryPolicy``; a token is asked of the credential (which
/// caches it) before each attempt. Safe to share between tasks.
public final class DigitalTwinsClient: Sendable {
    /// Client settings.
    public struct Options: Sendable {
        /// The `api-version` sent with every request.
        public var apiVersion: String
        /// A PEM bundle of trusted CAs instead of the system's (e.g. the gateway's development
        /// certificate). Used by the transport the client creates; ignored when one is passed in.
        public var caFile: String?
        /// Time to establish a connection (TLS included), for every request.
        public var connectTimeout: Duration
        /// Time for a whole request attempt, for every request (ADT's own query limit is 60 s).
        public var requestTimeout: Duration
        /// When and how to retry.
        public var retryPolicy: RetryPolicy
        /// Proxy selection for the transport the client creates (the environment's by default).
        public var proxy: CurlTransport.Proxy
        /// Where requests, retries and failures are logged (never tokens or bodies).
        public var logger: Logger
        /// The token scopes asked of the credential.
        public var scopes: [String]
        /// The `User-Agent` header.
        public var userAgent: String

        /// The defaults: api-version 2023-10-31, 10 s to connect, 100 s per attempt, 3 retries.
        public init(
            apiVersion: String = "2023-10-31", caFile: String? = nil, connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(100), retryPolicy: RetryPolicy = .default,
            proxy: CurlTransport.Proxy = .environment,
            logger: Logger = Logger(label: "DigitalTwinsClient"),
            scopes: [String] = ["https://digitaltwins.azure.net/.default"],
            userAgent: String = "twins-swift-client/1.0"
        ) {
            self.apiVersion = apiVersion
            self.caFile = caFile
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.retryPolicy = retryPolicy
            self.proxy = proxy
            self.logger = logger
            self.scopes = scopes
            self.userAgent = userAgent
        }
    }

    /// A W3C trace context (`00-<trace id>-<span id>-01`) sent as `traceparent` with every
    /// request made in this task; ADT carries it into the change notifications the request
    /// causes (the bridge marks its own writes this way).
    @TaskLocal public static var traceparent: String?

    /// The service's base URL, without trailing slash.
    public let endpoint: String
    /// The settings.
    public let options: Options
    let credential: (any TokenCredential)?
    let pipeline: HTTPPipeline
    let origin: URLOrigin

    /// A client.
    ///
    /// - Parameters:
    ///   - endpoint: `https://<instance-host>` or the gateway's URL (`http://127.0.0.1:8080`);
    ///     a bare host name gets `https://`. A base path is kept.
    ///   - credential: `nil` sends no `Authorization` header (a gateway without auth). With a
    ///     credential the endpoint must be `https`, or `http` on a loopback address: tokens are
    ///     not sent in clear text over a network.
    ///   - transport: by default a ``CurlTransport`` made from `options`.
    /// - Throws: ``ADTError`` (``ADTError/Kind-swift.struct/invalidArgument``) for an unusable endpoint.
    public init(
        endpoint: String, credential: (any TokenCredential)? = nil, options: Options = Options(),
        transport: (any Transport)? = nil
    )
        throws
    {
        var base = endpoint.trimmingCharacters(in: .whitespaces)
        if !base.contains("://") { base = "https://" + base }
        while base.hasSuffix("/") { base.removeLast() }
        guard let origin = URLOrigin(base), !base.contains("?"), !base.contains("#") else {
            throw ADTError.invalidArgument("the endpoint '\(endpoint)' is not an http(s) URL")
        }
        if credential != nil, origin.scheme == "http", !origin.isLoopback {
            throw ADTError.invalidArgument(
                "refusing to send bearer tokens over plain http to \(origin.host): use https (http only on a loopback address)"
            )
        }
        self.endpoint = base
        self.origin = origin
        self.options = options
        self.credential = credential
        let transport =
            transport
            ?? CurlTransport(
                configuration: .init(
                    caFile: options.caFile, connectTimeout: options.connectTimeout,
                    requestTimeout: options.requestTimeout,
                    proxy: options.proxy, logger: options.logger))
        pipeline = HTTPPipeline(transport: transport, retryPolicy: options.retryPolicy, logger: options.logger)
    }

    // MARK: - Requests

    /// One API call before it is sent.
    struct Call {
        var method: HTTPMethod
        /// Unencoded path segments below the endpoint (`["digitaltwins", id]`), or
        var path: [String] = []
        /// an absolute URL to use as it is (a `nextLink`).
        var url: String? = nil
        var query: [(String, String)] = []
        var headers: HTTPHeaders = [:]
        var body: [UInt8]? = nil
        var contentType = "application/json"
        /// `nil`: the method's idempotency.
        var idempotent: Bool? = nil
        /// The response body piece by piece, for a stream (see ``TransportRequest/bodyChunks``).
        var bodyChunks: (@Sendable ([UInt8]) -> Void)? = nil
        /// `nil`: the client's request timeout.
        var timeout: Duration? = nil
        /// `nil`: `application/json`.
        var accept: String? = nil
    }

    /// Sends a call with retries and returns its 2xx response; throws ``ADTError`` otherwise.
    func perform(_ call: Call) async throws -> TransportResponse {
        let url =
            try call.url.map(resolve(link:))
            ?? (endpoint + PercentEncoding.path(call.path) + "?"
                + PercentEncoding.query(call.query + [("api-version", options.apiVersion)]))
        var headers = call.headers
        headers["Accept"] = call.accept ?? "application/json"
        headers["User-Agent"] = options.userAgent
        // One id per call, the same on every retry (as Azure SDKs send it).
        headers["x-ms-client-request-id"] = UUID().uuidString.lowercased()
        if let traceparent = Self.traceparent { headers["traceparent"] = traceparent }
        if call.body != nil { headers["Content-Type"] = call.contentType }
        var template = TransportRequest(
            method: call.method, url: url, headers: headers, body: call.body, isIdempotent: call.idempotent,
            timeout: call.timeout ?? options.requestTimeout, connectTimeout: options.connectTimeout)
        template.bodyChunks = call.bodyChunks

        let response: TransportResponse
        do {
            response = try await pipeline.send {
                var request = template
                if let credential {
                    request.headers["Authorization"] = "Bearer " + (try await bearerToken(credential)).token
                }
                return request
            }
        } catch let error as TransportError {
            throw ADTError.transport(error)
        }
        guard response.isSuccess else { throw ADTError(response: response) }
        return response
    }

    private func bearerToken(_ credential: any TokenCredential) async throws -> AccessToken {
        do {
            return try await credential.token(scopes: options.scopes)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw ADTError(kind: .authentication, message: "no token from the credential: \(error)", underlying: error)
        }
    }

    /// A `nextLink` as a URL to GET: relative links are taken from the endpoint; absolute ones
    /// must stay on the endpoint's origin when a credential is used (the token is for it only).
    /// `api-version` is added when the link has none.
    func resolve(link: String) throws -> String {
        var url: String
        if link.hasPrefix("/") {
            url = "\(origin.scheme)://\(Self.authority(of: endpoint))" + link
        } else {
            guard let linkOrigin = URLOrigin(link) else {
                throw ADTError.invalidResponse("the nextLink '\(link)' is not a URL")
            }
            if credential != nil, linkOrigin != origin {
                throw ADTError.invalidResponse(
                    "the nextLink points to another host (\(linkOrigin.host)); not sending the token there")
            }
            url = link
        }
        if !url.contains("api-version=") {
            url += (url.contains("?") ? "&" : "?") + "api-version=" + PercentEncoding.encode(options.apiVersion)
        }
        return url
    }

    /// `host:port` of an absolute URL.
    private static func authority(of url: String) -> String {
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        return String(afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }

    /// The response body as JSON.
    func json(_ response: TransportResponse) throws -> JSONValue {
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw ADTError.invalidResponse(
                "the response body is not JSON: \(error)", status: response.status,
                requestID: ADTError.requestID(response.headers),
                underlying: error)
        }
    }

    /// The response body as a JSON object.
    func object(_ response: TransportResponse) throws -> JSONObject {
        guard case .object(let object) = try json(response) else {
            throw ADTError.invalidResponse("the response body is not a JSON object", status: response.status)
        }
        return object
    }

    /// A list page (`value`, `nextLink`), each item converted.
    func listPage<Item>(_ response: TransportResponse, _ convert: (JSONValue) throws -> Item) throws -> ListPage<Item> {
        let body = try object(response)
        guard case .array(let values)? = body["value"] else {
            throw ADTError.invalidResponse("the list response has no value array", status: response.status)
        }
        return ListPage(items: try values.map(convert), nextLink: body["nextLink"]?.stringValue)
    }

    /// A paged GET: the first page from `first`, the next ones from each `nextLink`.
    func pagedList<Item: Sendable>(_ first: Call, _ convert: @escaping @Sendable (JSONValue) throws -> Item)
        -> ItemSequence<ListPage<Item>>
    {
        PageSequence<ListPage<Item>> { [self] cursor in
            var call = first
            if let cursor {
                call = Call(method: .get, url: cursor, headers: first.headers)
            }
            let page = try listPage(try await perform(call), convert)
            return (page, page.nextLink)
        }.items
    }

    /// A JSON value as a request body.
    static func body(_ value: JSONValue) -> [UInt8] { JSONWriter.bytes(value) }

    /// A JSON Patch document as a request body.
    static func body(_ patch: [JSONPatchOperation]) -> [UInt8] { JSONWriter.bytes(.array(patch.map(\.jsonValue))) }
}
