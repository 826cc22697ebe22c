import Foundation
import HTTPTransport
import Logging

/// A service principal configured by environment variables, as Azure SDKs read them:
/// `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` and optionally
/// `AZURE_AUTHORITY_HOST`. When any of the three is missing the credential is
/// ``CredentialError/Kind-swift.struct/unavailable`` (so a chain moves on). Certificate and
/// username/password variables are not supported.
public struct EnvironmentCredential: TokenCredential, CustomStringConvertible, CustomReflectable {
    private let inner: ClientSecretCredential?
    private let unavailableReason: String

    /// Reads the variables from `environment` (the process environment by default; tests pass
    /// their own dictionary).
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, transport: (any Transport)? = nil,
        retryPolicy: RetryPolicy = .default, logger: Logger = Logger(label: "DigitalTwinsClient.EnvironmentCredential")
    ) {
        func value(_ name: String) -> String? {
            guard let v = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
                return nil
            }
            return v
        }
        let required = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"]
        let missing = required.filter { value($0) == nil }
        if let tenant = value("AZURE_TENANT_ID"), let client = value("AZURE_CLIENT_ID"),
            let secret = value("AZURE_CLIENT_SECRET")
        {
            inner = ClientSecretCredential(
                tenantID: tenant, clientID: client, clientSecret: secret,
                authorityHost: value("AZURE_AUTHORITY_HOST") ?? ClientSecretCredential.defaultAuthorityHost,
                transport: transport, retryPolicy: retryPolicy, logger: logger)
            unavailableReason = ""
        } else {
            inner = nil
            var reason = "environment variables are not fully configured: missing \(missing.joined(separator: ", "))"
            if value("AZURE_CLIENT_CERTIFICATE_PATH") != nil || value("AZURE_USERNAME") != nil {
                reason += " (certificate and username/password authentication are not supported)"
            }
            unavailableReason = reason
        }
    }

    /// Whether the variables are all present.
    public var isConfigured: Bool { inner != nil }

    /// A one-line rendering for logs and messages.
    public var description: String {
        inner.map { "EnvironmentCredential(\($0))" } ?? "EnvironmentCredential(unconfigured)"
    }

    /// Without the secret, for `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }

    /// A token from the configured service principal.
    public func token(scopes: [String]) async throws -> AccessToken {
        guard let inner else {
            throw CredentialError(.unavailable, credential: "EnvironmentCredential", message: unavailableReason)
        }
        do {
            return try await inner.token(scopes: scopes)
        } catch var error as CredentialError {
            error.credential = "EnvironmentCredential"
            throw error
        }
    }
}
