import Foundation
import HTTPTransport
import Logging

/// An Azure AD application (service principal) authenticating with its client secret: the
/// OAuth 2 client-credentials grant against the Microsoft identity platform v2 endpoint,
/// `POST {authorityHost}/{tenant}/oauth2/v2.0/token` with the form body
/// `grant_type=client_credentials&client_id=…&client_secret=…&scope=…`.
///
/// Tokens are cached per scope set and refreshed 5 minutes before they expire, with one
/// request at a time. The secret is sent only to the authority, over HTTPS (plain HTTP only to
/// a loopback authority such as the gateway's development issuer), and never logged.
public final class ClientSecretCredential: TokenCredential, CustomStringConvertible, CustomReflectable {
    /// Azure AD's public-cloud authority.
    public static let defaultAuthorityHost = "https://login.microsoftonline.com"

    /// The directory (tenant) id or domain.
    public let tenantID: String
    /// The application (client) id.
    public let clientID: String
    /// The authority, e.g. `https://login.microsoftonline.com` (sovereign clouds differ).
    public let authorityHost: String
    private let clientSecret: String
    private let pipeline: HTTPPipeline
    private let cache: TokenCache

    /// A credential.
    ///
    /// - Parameters:
    ///   - authorityHost: without trailing slash; `AZURE_AUTHORITY_HOST` in ``EnvironmentCredential``.
    ///   - transport: how to reach the authority; ``CurlTransport/shared`` by default.
    ///   - retryPolicy: retries of the token request (it is safe to repeat).
    public init(
        tenantID: String, clientID: String, clientSecret: String,
        authorityHost: String = ClientSecretCredential.defaultAuthorityHost,
        transport: (any Transport)? = nil, retryPolicy: RetryPolicy = .default,
        logger: Logger = Logger(label: "DigitalTwinsClient.ClientSecretCredential")
    ) {
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        var host = authorityHost
        while host.hasSuffix("/") { host.removeLast() }
        self.authorityHost = host
        pipeline = HTTPPipeline(transport: transport ?? CurlTransport.shared, retryPolicy: retryPolicy, logger: logger)
        cache = TokenCache(logger: logger)
    }

    /// A one-line rendering for logs and messages.
    public var description: String {
        "ClientSecretCredential(tenant: \(tenantID), client: \(clientID), authority: \(authorityHost))"
    }
    /// Without the secret, for `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }

    /// A token for `scopes`, from the cache or the authority.
    public func token(scopes: [String]) async throws -> AccessToken {
        for scope in scopes { try validateScope(scope, credential: Self.name) }
        guard !scopes.isEmpty else {
            throw CredentialError(.authenticationFailed, credential: Self.name, message: "no scope given")
        }
        let url = try tokenURL()
        return try await cache.token(scopes: scopes) { [self] in try await requestToken(url: url, scopes: scopes) }
    }

    static let name = "ClientSecretCredential"

    private func tokenURL() throws -> String {
        // The tenant goes into the path: allow only what tenant ids and domains contain.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
        guard !tenantID.isEmpty, tenantID.allSatisfy({ allowed.contains($0) }) else {
            throw CredentialError(
                .authenticationFailed, credential: Self.name,
                message: "invalid tenant id '\(tenantID)': use a GUID or a domain name")
        }
        guard !clientID.isEmpty, !clientSecret.isEmpty else {
            throw CredentialError(
                .authenticationFailed, credential: Self.name, message: "client id and client secret must not be empty")
        }
        guard let origin = URLOrigin(authorityHost), origin.scheme == "https" || origin.isLoopback else {
            throw CredentialError(
                .authenticationFailed, credential: Self.name,
                message:
                    "the authority host '\(authorityHost)' must be an https URL (plain http only on a loopback address)"
            )
        }
        return "\(authorityHost)/\(tenantID)/oauth2/v2.0/token"
    }

    private func requestToken(url: String, scopes: [String]) async throws -> AccessToken {
        let form = PercentEncoding.query([
            ("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", clientSecret),
            ("scope", scopes.joined(separator: " ")),
        ])
        let request = TransportRequest(
            method: .post, url: url,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Array(form.utf8), isIdempotent: true)
        let started = Date()
        let response: TransportResponse
        do {
            response = try await pipeline.send { request }
        } catch let error as TransportError {
            throw CredentialError(
                .authenticationFailed, credential: Self.name,
                message: "cannot reach the authority \(authorityHost): \(error)")
        }
        guard response.status == 200 else {
            throw CredentialError(
                .authenticationFailed, credential: Self.name,
                message: "the authority refused the request: " + Self.describeError(response), status: response.status)
        }
        let token = try AccessToken.parse(response.body, credential: Self.name, now: started)
        pipeline.logger.debug(
            "token acquired", metadata: ["credential": "\(Self.name)", "expires_on": "\(token.expiresOn)"])
        return token
    }

    /// `HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided…` from an
    /// OAuth error body (first line of the description only: the rest is trace and timestamp).
    static func describeError(_ response: TransportResponse) -> String {
        let error = ADTError(response: response)
        let firstLine = error.message.split(whereSeparator: \.isNewline).first.map(String.init) ?? error.message
        return "HTTP \(response.status)" + (error.code.map { " \($0.rawValue)" } ?? "") + ": " + firstLine
    }
}
