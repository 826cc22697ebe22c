import ADTWire
import Foundation

/// Something that can produce OAuth 2 bearer tokens for the given scopes (Azure Identity's
/// `TokenCredential`). Implementations cache tokens; ``DigitalTwinsClient`` asks for one
/// before each attempt of each request.
public protocol TokenCredential: Sendable {
    /// A token valid for `scopes` (for ADT: `["https://digitaltwins.azure.net/.default"]`).
    /// Throws ``CredentialError``.
    func token(scopes: [String]) async throws -> AccessToken
}

/// A bearer token and when it expires. Printing it never shows the token.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable
{
    /// The token, sent as `Authorization: Bearer <token>`.
    public var token: String
    /// When the identity provider says it stops being valid.
    public var expiresOn: Date
    /// When to get a new one ahead of expiry, when the provider advises it (`refresh_in`).
    public var refreshOn: Date?

    /// A token.
    public init(token: String, expiresOn: Date, refreshOn: Date? = nil) {
        self.token = token
        self.expiresOn = expiresOn
        self.refreshOn = refreshOn
    }

    /// A one-line rendering for logs and messages.
    public var description: String { "AccessToken(expiresOn: \(expiresOn), token: <redacted>)" }
    /// The same as `description`.
    public var debugDescription: String { description }
    /// No children: `dump` and debuggers' summaries must not show the token.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// A credential could not produce a token.
///
/// ``Kind-swift.struct/unavailable`` means the credential is not set up here (missing
/// environment variables, no managed identity endpoint): ``ChainedTokenCredential`` then tries
/// the next one. ``Kind-swift.struct/authenticationFailed`` means it is set up but the identity
/// provider refused or could not be reached: the chain stops there, as in Azure SDKs.
/// Messages never contain secrets or tokens.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    /// Whether the credential is absent or failed.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// Not configured in this environment; a chain moves on.
        public static let unavailable = Kind(name: "unavailable")
        /// Configured, but no token was obtained.
        public static let authenticationFailed = Kind(name: "authenticationFailed")
        /// A one-line rendering for logs and messages.
        public var description: String { name }
    }

    /// Whether the credential is absent or failed.
    public var kind: Kind
    /// The credential's type name, e.g. `ManagedIdentityCredential`.
    public var credential: String
    /// What happened, in words.
    public var message: String
    /// The identity endpoint's HTTP status, when it answered.
    public var status: Int?
    /// For a chain: what each credential tried answered, in order.
    public var attempts: [CredentialError]

    /// An error.
    public init(_ kind: Kind, credential: String, message: String, status: Int? = nil, attempts: [CredentialError] = [])
    {
        self.kind = kind
        self.credential = credential
        self.message = message
        self.status = status
        self.attempts = attempts
    }

    /// A one-line rendering for logs and messages.
    public var description: String {
        var text = "\(credential): \(message)"
        for attempt in attempts { text += "\n- \(attempt.description.replacingOccurrences(of: "\n", with: "\n  "))" }
        return text
    }
}

extension AccessToken {
    /// Reads an identity provider's token response: `access_token` and an expiry from
    /// `expires_in` (seconds from now) or `expires_on` (epoch seconds; managed identity
    /// endpoints send it as a string), plus `refresh_in` when present. Numbers may be strings.
    static func parse(_ body: [UInt8], credential: String, now: Date = Date()) throws -> AccessToken {
        let invalid = CredentialError(
            .authenticationFailed, credential: credential,
            message: "the token endpoint's response is not a token response")
        guard let json = try? JSONParser.parse(body), case .object(let object) = json,
            let token = object["access_token"]?.stringValue, !token.isEmpty
        else { throw invalid }
        func number(_ key: String) -> Double? {
            switch object[key] {
            case .integer(let i)?: return Double(i)
            case .double(let d)?: return d
            case .string(let s)?: return Double(s.trimmingCharacters(in: .whitespaces))
            default: return nil
            }
        }
        let expiresOn: Date
        if let epoch = number("expires_on") {
            expiresOn = Date(timeIntervalSince1970: epoch)
        } else if let seconds = number("expires_in") {
            expiresOn = now.addingTimeInterval(seconds)
        } else {
            throw CredentialError(
                .authenticationFailed, credential: credential,
                message: "the token response has no expiry (expires_in or expires_on)")
        }
        let refreshOn = number("refresh_in").map { now.addingTimeInterval($0) }
        return AccessToken(token: token, expiresOn: expiresOn, refreshOn: refreshOn)
    }
}

/// Converts scopes to the single AAD v1 resource that managed identity endpoints take:
/// `https://digitaltwins.azure.net/.default` → `https://digitaltwins.azure.net`.
func resource(fromScopes scopes: [String], credential: String) throws -> String {
    guard scopes.count == 1, let scope = scopes.first, !scope.isEmpty else {
        throw CredentialError(
            .authenticationFailed, credential: credential,
            message: "exactly one scope is supported, got \(scopes.count)")
    }
    try validateScope(scope, credential: credential)
    return scope.hasSuffix("/.default") ? String(scope.dropLast("/.default".count)) : scope
}

/// Scopes go into URLs and form bodies: allow only the characters real scopes use.
func validateScope(_ scope: String, credential: String) throws {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/")
    guard !scope.isEmpty, scope.allSatisfy({ allowed.contains($0) }) else {
        throw CredentialError(.authenticationFailed, credential: credential, message: "invalid scope '\(scope)'")
    }
}
