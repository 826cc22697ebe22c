import Foundation
import HTTPTransport
import Logging

/// The managed identity of the Azure resource the process runs on.
///
/// - App Service and Azure Functions: when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set,
///   `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…` with the header
///   `X-IDENTITY-HEADER`.
/// - Otherwise the Azure Instance Metadata Service (VMs, scale sets, AKS):
///   `GET {imds}?api-version=2018-02-01&resource=…` with `Metadata: true`, where `imds` is
///   the `imdsEndpoint` argument, else `AZURE_POD_IDENTITY_AUTHORITY_HOST` +
///   `/metadata/identity/oauth2/token`, else `http://169.254.169.254/metadata/identity/oauth2/token`.
///   When the IMDS cannot be reached (connection refused or a 2 s connect timeout) or answers
///   400 (no identity assigned), the credential is ``CredentialError/Kind-swift.struct/unavailable``.
///
/// A user-assigned identity is chosen by its client id. Both endpoints are local to the host
/// and are called without any proxy. Tokens are cached and refreshed like
/// ``ClientSecretCredential``'s. Azure Arc, Service Fabric and Cloud Shell identities are not
/// supported.
public final class ManagedIdentityCredential: TokenCredential, CustomStringConvertible, CustomReflectable {
    /// The instance metadata service's token endpoint.
    public static let defaultIMDSEndpoint = "http://169.254.169.254/metadata/identity/oauth2/token"

    /// Which endpoint is used.
    public enum Source: Sendable, Hashable {
        /// App Service / Functions (`IDENTITY_ENDPOINT`, 2019-08-01 protocol).
        case appService(endpoint: String)
        /// The instance metadata service at this URL.
        case imds(endpoint: String)
    }

    /// The endpoint chosen from the environment and arguments.
    public let source: Source
    /// The client id of a user-assigned identity; `nil` for the system-assigned one.
    public let clientID: String?
    private let identityHeader: String?
    private let pipeline: HTTPPipeline
    private let cache: TokenCache

    static let name = "ManagedIdentityCredential"

    /// A credential.
    ///
    /// - Parameters:
    ///   - clientID: a user-assigned identity's client id.
    ///   - environment: where `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` and
    ///     `AZURE_POD_IDENTITY_AUTHORITY_HOST` are read (the process environment by default).
    ///   - imdsEndpoint: the IMDS token URL, overriding the environment and the default (tests
    ///     point it at a loopback server).
    public init(
        clientID: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        imdsEndpoint: String? = nil, transport: (any Transport)? = nil, retryPolicy: RetryPolicy = .default,
        logger: Logger = Logger(label: "DigitalTwinsClient.ManagedIdentityCredential")
    ) {
        self.clientID = clientID.flatMap { $0.isEmpty ? nil : $0 }
        var policy = retryPolicy
        if let endpoint = environment["IDENTITY_ENDPOINT"], !endpoint.isEmpty,
            let header = environment["IDENTITY_HEADER"], !header.isEmpty
        {
            source = .appService(endpoint: endpoint)
            identityHeader = header
        } else {
            var endpoint = imdsEndpoint ?? Self.defaultIMDSEndpoint
            if imdsEndpoint == nil, var host = environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"], !host.isEmpty {
                while host.hasSuffix("/") { host.removeLast() }
                endpoint = host + "/metadata/identity/oauth2/token"
            }
            source = .imds(endpoint: endpoint)
            identityHeader = nil
            // An unreachable IMDS means "no managed identity here": fail fast, do not retry.
            // 404 and 410 are retried as Azure SDKs do (the IMDS answers them while it updates).
            policy.retryTransportErrors = false
            policy.retryStatuses.formUnion([404, 410])
        }
        pipeline = HTTPPipeline(transport: transport ?? CurlTransport.shared, retryPolicy: policy, logger: logger)
        cache = TokenCache(logger: logger)
    }

    /// A one-line rendering for logs and messages.
    public var description: String {
        switch source {
        case .appService(let endpoint): "ManagedIdentityCredential(app service: \(endpoint))"
        case .imds(let endpoint): "ManagedIdentityCredential(imds: \(endpoint))"
        }
    }

    /// Without the identity header, for `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }

    /// A token for the one resource `scopes` names.
    public func token(scopes: [String]) async throws -> AccessToken {
        let resource = try resource(fromScopes: scopes, credential: Self.name)
        return try await cache.token(scopes: scopes) { [self] in try await requestToken(resource: resource) }
    }

    private func requestToken(resource: String) async throws -> AccessToken {
        let request: TransportRequest
        let endpoint: String
        switch source {
        case .appService(let url):
            endpoint = url
            var query = [("api-version", "2019-08-01"), ("resource", resource)]
            if let clientID { query.append(("client_id", clientID)) }
            request = TransportRequest(
                method: .get, url: Self.append(query, to: url),
                headers: ["X-IDENTITY-HEADER": identityHeader ?? "", "Accept": "application/json"], bypassProxy: true)
        case .imds(let url):
            endpoint = url
            var query = [("api-version", "2018-02-01"), ("resource", resource)]
            if let clientID { query.append(("client_id", clientID)) }
            request = TransportRequest(
                method: .get, url: Self.append(query, to: url),
                headers: ["Metadata": "true", "Accept": "application/json"],
                timeout: .seconds(30), connectTimeout: .seconds(2), bypassProxy: true)
        }
        let started = Date()
        let response: TransportResponse
        do {
            response = try await pipeline.send { request }
        } catch let error as TransportError {
            if case .imds = source {
                throw CredentialError(
                    .unavailable, credential: Self.name,
                    message:
                        "no managed identity endpoint found: \(endpoint) is unreachable (\(error.kind): \(error.message))"
                )
            }
            throw CredentialError(
                .authenticationFailed, credential: Self.name,
                message: "cannot reach the managed identity endpoint \(endpoint): \(error)")
        }
        guard response.status == 200 else {
            let detail = ClientSecretCredential.describeError(response)
            if case .imds = source, response.status == 400 || (response.status == 403 && detail.contains("unreachable"))
            {
                throw CredentialError(
                    .unavailable, credential: Self.name,
                    message: "the instance metadata service has no identity for this request (\(detail))",
                    status: response.status)
            }
            throw CredentialError(
                .authenticationFailed, credential: Self.name,
                message: "the managed identity endpoint refused: \(detail)", status: response.status)
        }
        let token = try AccessToken.parse(response.body, credential: Self.name, now: started)
        pipeline.logger.debug(
            "token acquired", metadata: ["credential": "\(Self.name)", "expires_on": "\(token.expiresOn)"])
        return token
    }

    private static func append(_ query: [(String, String)], to url: String) -> String {
        url + (url.contains("?") ? "&" : "?") + PercentEncoding.query(query)
    }
}
