import Foundation

/// A credential that always returns the same token: for tools handed a token by their caller
/// (e.g. `az account get-access-token`), and for tests.
public struct StaticTokenCredential: TokenCredential, CustomStringConvertible, CustomReflectable {
    private let accessToken: AccessToken

    /// Returns `token` for every scope, valid until `expiresOn` (a day from now by default).
    public init(token: String, expiresOn: Date = Date().addingTimeInterval(86_400)) {
        accessToken = AccessToken(token: token, expiresOn: expiresOn)
    }

    /// Returns `accessToken` for every scope.
    public init(_ accessToken: AccessToken) { self.accessToken = accessToken }

    /// The same token for every scope.
    public func token(scopes: [String]) async throws -> AccessToken { accessToken }

    /// A one-line rendering for logs and messages.
    public var description: String { "StaticTokenCredential(expiresOn: \(accessToken.expiresOn))" }
    /// Without the token, for `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
