import ADTWire
import DTDL
import Foundation

/// A caller whose token was verified.
struct Principal: Sendable {
    /// The token's object id, else its application id.
    let id: String
    let roles: Set<DataRole>
}

/// Checks bearer tokens as ADT does: signature (RS256 or ES256) by a trusted key, issuer,
/// audience, expiry and not-before with a small skew; then finds the caller's roles.
struct TokenVerifier: Sendable {
    let configuration: AuthConfiguration

    func principal(authorization: String?, now: Date = Date()) async throws(AuthFailure) -> Principal {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            throw .unauthorized("no bearer token", kind: "missing_token")
        }
        let token = try JSONWebToken(authorization.dropFirst(7).drop(while: { $0 == " " }))
        guard let issuer = token.claims["iss"]?.stringValue else {
            throw .unauthorized("the token has no issuer", kind: "malformed_token")
        }

        let key: VerificationKey?
        if let development = configuration.developmentIssuer, DevelopmentIssuer.isDevelopmentIssuer(issuer) {
            key = token.keyID == development.keyID ? development.verificationKey : nil
        } else {
            guard configuration.issuers.contains(issuer) else {
                throw .unauthorized("the token's issuer is not trusted", kind: "untrusted_issuer")
            }
            do {
                key = try await configuration.keys?.key(id: token.keyID)
            } catch {
                throw .unauthorized("the issuer's signing keys could not be fetched", kind: "keys_unavailable")
            }
        }
        guard let key, key.verifies(token.signature, of: token.signingInput, algorithm: token.algorithm) else {
            throw .unauthorized("the token's signature does not verify", kind: "bad_signature")
        }

        let audiences: [String]
        switch token.claims["aud"] {
        case .string(let a)?: audiences = [a]
        case .array(let list)?: audiences = list.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(where: configuration.audiences.contains) else {
            throw .unauthorized("the token is for another audience", kind: "wrong_audience")
        }
        let time = now.timeIntervalSince1970
        guard let expiry = Self.seconds(token.claims["exp"]), expiry + configuration.clockSkew > time else {
            throw .unauthorized("the token has expired", kind: "expired")
        }
        if let notBefore = Self.seconds(token.claims["nbf"]), notBefore - configuration.clockSkew > time {
            throw .unauthorized("the token is not valid yet", kind: "not_yet_valid")
        }

        let ids = ["oid", "appid", "azp", "sub"].compactMap { token.claims[$0]?.stringValue }
        var roles = Set<DataRole>()
        if case .array(let names)? = token.claims["roles"] {
            for case .string(let name) in names { if let role = DataRole(name: name) { roles.insert(role) } }
        }
        for id in ids { if let role = configuration.roleAssignments[id] { roles.insert(role) } }
        return Principal(id: ids.first ?? "unknown", roles: roles)
    }

    static func seconds(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let n)?: return Double(n)
        case .double(let d)?: return d
        default: return nil
        }
    }
}
