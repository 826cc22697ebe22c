import ADTWire
import Crypto
import CryptoExtras
import DTDL
import Foundation

/// A public key that checks JWT signatures: RS256 (Azure AD's) or ES256 (the development
/// issuer's).
enum VerificationKey: Sendable {
    case rsa(_RSA.Signing.PublicKey)
    case p256(P256.Signing.PublicKey)

    /// A key from a JWK (`kty` RSA with `n`/`e`, or EC P-256 with `x`/`y`); nil for other kinds.
    init?(jwk: JSONObject) {
        switch jwk["kty"]?.stringValue {
        case "RSA":
            guard let n = jwk["n"]?.stringValue.flatMap({ Base64URL.decode($0[...]) }),
                let e = jwk["e"]?.stringValue.flatMap({ Base64URL.decode($0[...]) }),
                let key = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { return nil }
            self = .rsa(key)
        case "EC":
            guard jwk["crv"]?.stringValue == "P-256",
                let x = jwk["x"]?.stringValue.flatMap({ Base64URL.decode($0[...]) }),
                let y = jwk["y"]?.stringValue.flatMap({ Base64URL.decode($0[...]) }), x.count == 32, y.count == 32,
                let key = try? P256.Signing.PublicKey(rawRepresentation: x + y)
            else { return nil }
            self = .p256(key)
        default:
            return nil
        }
    }

    /// A key from PEM (`-----BEGIN PUBLIC KEY-----`, RSA or P-256).
    init?(pem: String) {
        if let key = try? P256.Signing.PublicKey(pemRepresentation: pem) {
            self = .p256(key)
        } else if let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) {
            self = .rsa(key)
        } else {
            return nil
        }
    }

    /// Whether `signature` signs `input` with `algorithm` under this key.
    func verifies(_ signature: [UInt8], of input: [UInt8], algorithm: String?) -> Bool {
        switch (self, algorithm) {
        case (.rsa(let key), "RS256"):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input),
                padding: .insecurePKCS1v1_5)
        case (.p256(let key), "ES256"):
            guard let s = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(s, for: SHA256.hash(data: input))
        default:
            return false
        }
    }
}

/// The keys of a JWKS document (`{"keys": [...]}`) by `kid`; keys it cannot use are skipped.
enum JSONWebKeySet {
    static func keys(_ document: JSONValue) -> [String: VerificationKey] {
        guard case .array(let list)? = document["keys"] else { return [:] }
        var keys: [String: VerificationKey] = [:]
        for case .object(let jwk) in list {
            if let key = VerificationKey(jwk: jwk) { keys[jwk["kid"]?.stringValue ?? ""] = key }
        }
        return keys
    }
}
