import Crypto
import Foundation

/// An IoT Hub / DPS shared access signature token:
/// `SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC>&se=<expiry>[&skn=<policy>]`.
///
/// The signature is `base64(HMAC-SHA256(base64decode(key), utf8(sr + "\n" + se)))` where `sr`
/// is the resource **exactly as it appears in the token** (normally URL-encoded). Keys are
/// base64; missing padding is tolerated, as Node's `Buffer.from(key, "base64")` does. Nothing
/// here logs, and keys are never part of an error message.
///
/// | Use | resource | skn |
/// |---|---|---|
/// | DPS registration | `{idScope}/registrations/{registrationId}` | `registration` |
/// | IoT Hub device | `{hubHost}/devices/{deviceId}` | none |
/// | IoT Hub service | `{hubHost}/devices` or `{hubHost}` | the policy name |
public struct SharedAccessSignature: Sendable, Hashable, CustomStringConvertible {
    /// `sr` as it appears in the token (what is signed).
    public var resource: String
    /// `sig`, URL-decoded: the base64 HMAC.
    public var signature: String
    /// `se`: expiry, seconds since 1970 (UTC).
    public var expiry: Int64
    /// `skn`: the policy (key) name, when present.
    public var keyName: String?

    /// A token with the given fields (no signing: see ``create(resourceURI:key:expiry:keyName:)``).
    public init(resource: String, signature: String, expiry: Int64, keyName: String? = nil) {
        self.resource = resource
        self.signature = signature
        self.expiry = expiry
        self.keyName = keyName
    }

    /// The token text: `SharedAccessSignature sr=…&sig=…&se=…[&skn=…]`.
    public var description: String {
        var text = "SharedAccessSignature sr=\(resource)&sig=\(Self.urlEncode(signature))&se=\(expiry)"
        if let keyName { text += "&skn=\(Self.urlEncode(keyName))" }
        return text
    }

    /// The token text (same as ``description``).
    public var token: String { description }

    /// The resource, URL-decoded (as sent, when it was not encoded).
    public var decodedResource: String { Self.urlDecode(resource) ?? resource }

    /// Signs `resourceURI` (URL-encoded into `sr`) with `key` until `expiry`.
    ///
    /// - Throws: ``SASError`` `.invalidKey` when `key` is not base64.
    public static func create(resourceURI: String, key: String, expiry: Int64, keyName: String? = nil) throws(SASError)
        -> SharedAccessSignature
    {
        let resource = urlEncode(resourceURI)
        let signature = try sign("\(resource)\n\(expiry)", key: key)
        return SharedAccessSignature(resource: resource, signature: signature, expiry: expiry, keyName: keyName)
    }

    /// `base64(HMAC-SHA256(base64decode(key), utf8(stringToSign)))`.
    public static func sign(_ stringToSign: String, key: String) throws(SASError) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: try symmetricKey(key))
        return Data(mac).base64EncodedString()
    }

    /// The device key of `registrationID` in a symmetric-key enrollment group:
    /// `base64(HMAC-SHA256(base64decode(groupKey), utf8(registrationID)))`.
    public static func deriveDeviceKey(groupKey: String, registrationID: String) throws(SASError) -> String {
        try sign(registrationID, key: groupKey)
    }

    /// Reads a token. Fields may come in any order; unknown fields are ignored.
    ///
    /// - Throws: ``SASError`` `.malformed` when the prefix, `sr`, `sig` or a numeric `se` is
    ///   missing, a field repeats, or an escape is invalid.
    public static func parse(_ token: String) throws(SASError) -> SharedAccessSignature {
        let prefix = "SharedAccessSignature "
        let trimmed = token.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > prefix.count, trimmed.prefix(prefix.count).lowercased() == prefix.lowercased() else {
            throw SASError(.malformed, "the token does not start with \"SharedAccessSignature \"")
        }
        var fields: [String: String] = [:]
        for pair in trimmed.dropFirst(prefix.count).split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else { throw SASError(.malformed, "a field has no '='") }
            let name = String(pair[..<equals]).lowercased()
            guard fields[name] == nil else { throw SASError(.malformed, "field \(name) appears twice") }
            fields[name] = String(pair[pair.index(after: equals)...])
        }
        guard let resource = fields["sr"], !resource.isEmpty else { throw SASError(.malformed, "sr is missing") }
        guard let rawSignature = fields["sig"], let signature = urlDecode(rawSignature), !signature.isEmpty else {
            throw SASError(.malformed, "sig is missing or badly escaped")
        }
        guard let se = fields["se"], let expiry = Int64(se), expiry >= 0 else {
            throw SASError(.malformed, "se is missing or not a number of seconds")
        }
        guard urlDecode(resource) != nil else { throw SASError(.malformed, "sr is badly escaped") }
        var keyName: String?
        if let skn = fields["skn"] {
            guard let decoded = urlDecode(skn) else { throw SASError(.malformed, "skn is badly escaped") }
            keyName = decoded
        }
        return SharedAccessSignature(resource: resource, signature: signature, expiry: expiry, keyName: keyName)
    }

    /// Whether `key` can sign: base64 (padding optional) of at least one byte. For checking a
    /// key where it is given, before any request is made with it.
    public static func isValidKey(_ key: String) -> Bool {
        (try? symmetricKey(key)) != nil
    }

    /// The key bytes of a base64 key (padding optional).
    static func symmetricKey(_ key: String) throws(SASError) -> SymmetricKey {
        guard let bytes = MessageBody.base64Decode(key), !bytes.isEmpty else {
            throw SASError(.invalidKey, "the key is not base64")
        }
        return SymmetricKey(data: bytes)
    }
}

/// Why a token was refused.
public struct SASError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Reason: String, Sendable, Hashable {
        /// The token cannot be read.
        case malformed
        /// A key given to sign or verify is not base64.
        case invalidKey
        /// No key produces the token's signature.
        case signatureMismatch
        /// `se` is not in the future.
        case expired
        /// `sr` does not cover the resource being accessed.
        case resourceMismatch
        /// `skn` is not the required policy.
        case keyNameMismatch
    }

    /// The kind of failure.
    public var reason: Reason
    /// Details (never key material).
    public var detail: String

    /// A failure of `reason`.
    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// `reason: detail`.
    public var description: String { "\(reason.rawValue): \(detail)" }
}
