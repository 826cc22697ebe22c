import Foundation
import HTTPTransport
import Logging

/// Tries credentials in order and uses the first that produces a token; later calls go
/// straight to that one. A credential that is ``CredentialError/Kind-swift.struct/unavailable``
/// is skipped; any other failure stops the chain (as in Azure SDKs), so a misconfigured
/// service principal is reported rather than masked by the next credential. When none is
/// available the error lists what each one said.
public final class ChainedTokenCredential: TokenCredential, CustomStringConvertible {
    /// The credentials, in the order tried.
    public let credentials: [any TokenCredential]
    private let name: String
    private let lock = NSLock()
    private nonisolated(unsafe) var selected: Int?

    /// A chain of `credentials`.
    public convenience init(_ credentials: [any TokenCredential]) {
        self.init(credentials, name: "ChainedTokenCredential")
    }

    init(_ credentials: [any TokenCredential], name: String) {
        self.credentials = credentials
        self.name = name
    }

    /// A one-line rendering for logs and messages.
    public var description: String {
        "\(name)(" + credentials.map { String(describing: $0) }.joined(separator: ", ") + ")"
    }

    /// A token from the first credential that has one.
    public func token(scopes: [String]) async throws -> AccessToken {
        if let index = lock.withLock({ selected }) {
            return try await credentials[index].token(scopes: scopes)
        }
        var attempts: [CredentialError] = []
        for (index, credential) in credentials.enumerated() {
            do {
                let token = try await credential.token(scopes: scopes)
                lock.withLock { selected = index }
                return token
            } catch let error as CredentialError where error.kind == .unavailable {
                attempts.append(error)
            } catch let error as CredentialError {
                throw CredentialError(
                    .authenticationFailed, credential: name,
                    message: "\(Self.typeName(credential)) failed to get a token: \(error.message)",
                    status: error.status,
                    attempts: attempts + [error])
            } catch {
                throw CredentialError(
                    .authenticationFailed, credential: name, message: "\(Self.typeName(credential)) failed: \(error)",
                    attempts: attempts)
            }
        }
        let tried = credentials.map(Self.typeName).joined(separator: ", ")
        throw CredentialError(
            .unavailable, credential: name,
            message: "no credential could provide a token; tried, in order: \(tried.isEmpty ? "none" : tried)",
            attempts: attempts)
    }

    static func typeName(_ credential: any TokenCredential) -> String { String(describing: type(of: credential)) }
}

/// Azure SDKs' default chain, limited to what fits a server: ``EnvironmentCredential``
/// (service principal from `AZURE_TENANT_ID` / `AZURE_CLIENT_ID` / `AZURE_CLIENT_SECRET`),
/// then ``ManagedIdentityCredential`` (App Service / Functions, then IMDS). Credentials not
/// configured are skipped; when none works the error lists each one's reason. Developer-tool
/// credentials (Azure CLI, Visual Studio Code, …) and workload identity are not included.
public final class DefaultAzureCredential: TokenCredential, CustomStringConvertible {
    private let chain: ChainedTokenCredential

    /// The chain.
    ///
    /// - Parameters:
    ///   - environment: read by both credentials (the process environment by default).
    ///   - managedIdentityClientID: a user-assigned identity's client id (default
    ///     `AZURE_CLIENT_ID`, as Azure SDKs do).
    ///   - imdsEndpoint: the IMDS token URL (see ``ManagedIdentityCredential``).
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment, managedIdentityClientID: String? = nil,
        imdsEndpoint: String? = nil, transport: (any Transport)? = nil, retryPolicy: RetryPolicy = .default,
        logger: Logger = Logger(label: "DigitalTwinsClient.DefaultAzureCredential")
    ) {
        chain = ChainedTokenCredential(
            [
                EnvironmentCredential(
                    environment: environment, transport: transport, retryPolicy: retryPolicy, logger: logger),
                ManagedIdentityCredential(
                    clientID: managedIdentityClientID ?? environment["AZURE_CLIENT_ID"], environment: environment,
                    imdsEndpoint: imdsEndpoint, transport: transport, retryPolicy: retryPolicy, logger: logger),
            ], name: "DefaultAzureCredential")
    }

    /// A one-line rendering for logs and messages.
    public var description: String { chain.description }

    /// A token from the first configured credential.
    public func token(scopes: [String]) async throws -> AccessToken { try await chain.token(scopes: scopes) }
}
