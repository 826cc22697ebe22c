import ADTWire
import DTDL
import Foundation

/// Who may call the ADT routes.
public struct AuthConfiguration: Sendable {
    /// `none`: every request is let through (a local gateway on loopback); `jwt`: bearer tokens
    /// are verified and their roles checked, as ADT does.
    public enum Mode: String, Sendable, CaseIterable {
        case none
        case jwt
    }

    /// Whether requests are let through or their tokens checked.
    public var mode: Mode
    /// Accepted `iss` values (Azure AD v2: `https://login.microsoftonline.com/<tenant>/v2.0`).
    public var issuers: [String]
    /// Accepted `aud` values: ADT's resource URI and its application id, as Azure AD issues both.
    public var audiences: [String] = ["https://digitaltwins.azure.net", "0b07f429-9f4b-4714-9392-cc5e8e80c8b0"]
    /// Roles by principal (`oid`, `appid` or `azp` of the token), beside the token's `roles` claim.
    public var roleAssignments: [String: DataRole] = [:]
    /// Tolerance on `exp` and `nbf`.
    public var clockSkew: TimeInterval = 60
    /// Where signature keys come from.
    var keys: TrustedKeys?
    /// The in-process development issuer, when enabled: its tokens are trusted.
    public var developmentIssuer: DevelopmentIssuer?

    /// A configuration trusting `issuers` (keys still to be given).
    public init(mode: Mode, issuers: [String]) {
        self.mode = mode
        self.issuers = issuers
    }

    /// Requests pass unchecked.
    public static let none = AuthConfiguration(mode: .none, issuers: [])

    /// Tokens from `issuers`, signed by the keys of a JWKS or PEM public-key file.
    public static func jwt(issuers: [String], keyFile: String) throws -> AuthConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: keyFile, encoding: .utf8)
        } catch {
            throw AuthConfigurationError("cannot read the key file \(keyFile): \(error.localizedDescription)")
        }
        var keys: [String: VerificationKey] = [:]
        if text.contains("-----BEGIN") {
            guard let key = VerificationKey(pem: text) else {
                throw AuthConfigurationError("\(keyFile) holds no RSA or P-256 public key in PEM")
            }
            keys[""] = key
        } else {
            guard let document = try? JSONParser.parse(text) else {
                throw AuthConfigurationError("\(keyFile) is neither PEM nor JSON")
            }
            keys = JSONWebKeySet.keys(document)
            guard !keys.isEmpty else { throw AuthConfigurationError("\(keyFile) holds no usable RS256 or ES256 key") }
        }
        var configuration = AuthConfiguration(mode: .jwt, issuers: issuers)
        configuration.keys = TrustedKeys(keys: keys, refresh: nil)
        return configuration
    }

    /// Tokens from `issuers`, signed by the keys their OpenID configurations publish
    /// (`<issuer>/.well-known/openid-configuration` → `jwks_uri`), fetched with `fetch`, and
    /// fetched again when a token names a key not held (at most once a minute).
    public static func jwt(issuers: [String], fetch: @escaping @Sendable (String) async throws -> [UInt8])
        -> AuthConfiguration
    {
        var configuration = AuthConfiguration(mode: .jwt, issuers: issuers)
        configuration.keys = TrustedKeys(keys: [:]) {
            var keys: [String: VerificationKey] = [:]
            for issuer in issuers {
                let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
                let discovery = try JSONParser.parse(try await fetch(base + "/.well-known/openid-configuration"))
                guard let uri = discovery["jwks_uri"]?.stringValue else {
                    throw AuthConfigurationError("the OpenID configuration of \(issuer) has no jwks_uri")
                }
                keys.merge(JSONWebKeySet.keys(try JSONParser.parse(try await fetch(uri)))) { first, _ in first }
            }
            return keys
        }
        return configuration
    }

    /// Only the development issuer's tokens.
    public static func development(_ issuer: DevelopmentIssuer) -> AuthConfiguration {
        var configuration = AuthConfiguration(mode: .jwt, issuers: [])
        configuration.developmentIssuer = issuer
        return configuration
    }
}

/// A configuration that cannot be used, with the reason.
public struct AuthConfigurationError: Error, CustomStringConvertible {
    /// Why the configuration cannot be used.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// ADT's two built-in data-plane roles.
public enum DataRole: String, Sendable {
    case owner = "Azure Digital Twins Data Owner"
    case reader = "Azure Digital Twins Data Reader"

    /// The role named `text`: its full name, or `DataOwner` / `DataReader`.
    public init?(name text: String) {
        switch text.lowercased().replacingOccurrences(of: " ", with: "") {
        case "azuredigitaltwinsdataowner", "dataowner", "owner": self = .owner
        case "azuredigitaltwinsdatareader", "datareader", "reader": self = .reader
        default: return nil
        }
    }

    /// A role-assignment file: `[{"principalId": "<object or application id>", "role": "<role>"}]`.
    public static func assignments(file: String) throws -> [String: DataRole] {
        guard let data = FileManager.default.contents(atPath: file), let document = try? JSONParser.parse(Array(data)),
            case .array(let entries) = document
        else { throw AuthConfigurationError("\(file) must be a JSON array of {\"principalId\", \"role\"}") }
        var roles: [String: DataRole] = [:]
        for entry in entries {
            guard let principal = entry["principalId"]?.stringValue, let name = entry["role"]?.stringValue else {
                throw AuthConfigurationError("\(file): every entry needs principalId and role")
            }
            guard let role = DataRole(name: name) else {
                throw AuthConfigurationError(
                    "\(file): unknown role '\(name)' (Azure Digital Twins Data Owner or Data Reader)")
            }
            roles[principal] = roles[principal] == .owner ? .owner : role
        }
        return roles
    }
}

/// Signature keys by `kid`, refreshed (at most once a minute) when a token names one not held.
actor TrustedKeys {
    private var keys: [String: VerificationKey]
    private let refresh: (@Sendable () async throws -> [String: VerificationKey])?
    private var lastRefresh: Date?

    init(keys: [String: VerificationKey], refresh: (@Sendable () async throws -> [String: VerificationKey])?) {
        self.keys = keys
        self.refresh = refresh
    }

    func key(id: String?) async throws -> VerificationKey? {
        if let key = lookup(id) { return key }
        guard let refresh, lastRefresh.map({ Date().timeIntervalSince($0) > 60 }) ?? true else { return nil }
        lastRefresh = Date()
        keys = try await refresh()
        return lookup(id)
    }

    private func lookup(_ id: String?) -> VerificationKey? {
        if let id, let key = keys[id] { return key }
        // A single key without id (a PEM file) signs every token.
        return keys.count == 1 && keys[""] != nil ? keys[""] : nil
    }
}
