import ADTWire
import Crypto
import DTDL
import Foundation

/// A token issuer for development, inside the gateway: an Azure-AD-v2-shaped token endpoint that
/// gives ES256-signed tokens to registered clients by client credentials, its OpenID
/// configuration and its JWKS (`/dev-issuer/<tenant>/...`). With it, a client's real
/// client-secret flow runs end to end on one machine. Never for production: anyone holding a
/// registered secret gets its role.
public struct DevelopmentIssuer: Sendable {
    /// A registered client (an application id, its secret and its role).
    public struct Client: Sendable {
        /// The client's application id (its tokens' `appid`, `azp`, `oid` and `sub`).
        public var id: String
        /// The client secret it presents to the token endpoint.
        public var secret: String
        /// The data role its tokens carry in `roles`.
        public var role: DataRole

        /// Client `id`, authenticated by `secret`, with `role`.
        public init(id: String, secret: String, role: DataRole) {
            self.id = id
            self.secret = secret
            self.role = role
        }

        /// `ID:SECRET[:ROLE]`, the role `owner` (default) or `reader`.
        public init(argument: String) throws {
            let parts = argument.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw AuthConfigurationError(
                    "a development client is ID:SECRET[:owner|reader], not '\(parts.first ?? "")…'")
            }
            let role = parts.count == 3 ? DataRole(name: parts[2]) : .owner
            guard let role else {
                throw AuthConfigurationError("unknown role '\(parts[2])' for client \(parts[0]) (owner or reader)")
            }
            self.init(id: parts[0], secret: parts[1], role: role)
        }
    }

    let signingKey: P256.Signing.PrivateKey
    /// The key's id in tokens and in the JWKS: a hash of the public key.
    let keyID: String
    let clients: [String: Client]
    /// Seconds a token lives (Azure AD's default is about an hour).
    public var tokenLifetime: TimeInterval = 3600

    /// An issuer signing with `key` (a new one when nil) for `clients`.
    public init(clients: [Client], key: P256.Signing.PrivateKey? = nil) {
        signingKey = key ?? P256.Signing.PrivateKey()
        keyID = Base64URL.encode(SHA256.hash(data: signingKey.publicKey.rawRepresentation).prefix(12))
        self.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
    }

    /// The key of `file` (PEM), created there when the file does not exist, so that tokens stay
    /// valid across restarts.
    public static func key(file: String) throws -> P256.Signing.PrivateKey {
        if let data = FileManager.default.contents(atPath: file) {
            guard let text = String(data: data, encoding: .utf8),
                let key = try? P256.Signing.PrivateKey(pemRepresentation: text)
            else { throw AuthConfigurationError("\(file) holds no P-256 private key in PEM") }
            return key
        }
        let key = P256.Signing.PrivateKey()
        guard
            FileManager.default.createFile(
                atPath: file, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else { throw AuthConfigurationError("cannot write the development issuer key to \(file)") }
        return key
    }

    /// `<authority>/<tenant>/v2.0`, as Azure AD v2 names its issuers.
    static func issuer(authority: String, tenant: String) -> String { "\(authority)/\(tenant)/v2.0" }

    /// Whether `issuer` is one of this issuer's (any tenant).
    static func isDevelopmentIssuer(_ issuer: String) -> Bool {
        issuer.contains("/dev-issuer/") && issuer.hasSuffix("/v2.0")
    }

    var jwks: JSONValue {
        let raw = signingKey.publicKey.rawRepresentation
        return .object(
            JSONObject([
                (
                    "keys",
                    .array([
                        .object(
                            JSONObject([
                                ("kty", .string("EC")), ("use", .string("sig")), ("alg", .string("ES256")),
                                ("kid", .string(keyID)),
                                ("crv", .string("P-256")), ("x", .string(Base64URL.encode(raw.prefix(32)))),
                                ("y", .string(Base64URL.encode(raw.suffix(32)))),
                            ]))
                    ])
                )
            ]))
    }

    var verificationKey: VerificationKey { .p256(signingKey.publicKey) }

    /// A signed access token for `client` (application permissions: `roles` holds its role).
    func token(for client: Client, issuer: String, audience: String, now: Date = Date()) throws -> String {
        let header = JSONObject([("typ", .string("JWT")), ("alg", .string("ES256")), ("kid", .string(keyID))])
        let issued = Int64(now.timeIntervalSince1970)
        let claims = JSONObject([
            ("aud", .string(audience)), ("iss", .string(issuer)), ("iat", .integer(issued)), ("nbf", .integer(issued)),
            ("exp", .integer(issued + Int64(tokenLifetime))), ("appid", .string(client.id)),
            ("azp", .string(client.id)),
            ("oid", .string(client.id)), ("sub", .string(client.id)),
            ("roles", .array([.string(client.role.rawValue)])),
            ("tid", .string(issuer.split(separator: "/").dropLast().last.map(String.init) ?? "")),
            ("ver", .string("2.0")),
        ])
        let input =
            Base64URL.encode(JSONWriter.bytes(.object(header))) + "."
            + Base64URL.encode(JSONWriter.bytes(.object(claims)))
        let signature = try signingKey.signature(for: Array(input.utf8))
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }
}
