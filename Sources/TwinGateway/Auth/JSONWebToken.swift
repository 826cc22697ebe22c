import ADTWire
import DTDL
import Foundation

/// A compact JWS (`header.payload.signature`), decoded but not yet verified.
struct JSONWebToken {
    let header: JSONObject
    let claims: JSONObject
    /// `header.payload` as sent: the signed bytes.
    let signingInput: [UInt8]
    let signature: [UInt8]

    init(_ text: Substring) throws(AuthFailure) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let header = Base64URL.decode(parts[0]).flatMap({ try? JSONParser.parse($0) })?.objectValue,
            let claims = Base64URL.decode(parts[1]).flatMap({ try? JSONParser.parse($0) })?.objectValue,
            let signature = Base64URL.decode(parts[2])
        else { throw AuthFailure.unauthorized("the bearer token is not a well-formed JWT", kind: "malformed_token") }
        self.header = header
        self.claims = claims
        self.signingInput = Array(text[..<parts[2].startIndex].dropLast().utf8)
        self.signature = signature
    }

    var algorithm: String? { header["alg"]?.stringValue }
    var keyID: String? { header["kid"]?.stringValue }
}

/// Why a request was not let through: 401 (no or bad token) or 403 (not allowed).
struct AuthFailure: Error, CustomStringConvertible {
    let status: Int
    let reason: String
    /// The reason as one of a few words, for the metrics' `reason` label: `missing_token`,
    /// `malformed_token`, `untrusted_issuer`, `keys_unavailable`, `bad_signature`,
    /// `wrong_audience`, `expired`, `not_yet_valid`, `forbidden`.
    let kind: String

    static func unauthorized(_ reason: String, kind: String) -> AuthFailure {
        AuthFailure(status: 401, reason: reason, kind: kind)
    }
    static func forbidden(_ reason: String) -> AuthFailure {
        AuthFailure(status: 403, reason: reason, kind: "forbidden")
    }

    var description: String { reason }
}
