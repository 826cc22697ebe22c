import Crypto
import Foundation

extension SharedAccessSignature {
    /// Checks the token, in this order:
    /// 1. the signature: HMAC-SHA256 over `sr` as it appears in the token + `"\n"` + `se`,
    ///    compared in constant time, under any of `keys` (primary, secondary);
    /// 2. expiry: `se` must be later than `now`;
    /// 3. when `resource` is given: the URL-decoded `sr` must equal it or be a whole-segment
    ///    prefix of it, case-insensitively (`hub/devices` covers `hub/devices/d1`, not
    ///    `hub/devicesX`); a `scheme://` on either side is ignored;
    /// 4. when `keyName` is given: `skn` must equal it (DPS requires `registration`).
    ///
    /// Because `sr` is signed as sent, `%2F`, `%2f` and unencoded forms all verify.
    ///
    /// - Throws: ``SASError`` saying which check failed.
    public func verify(
        keys: [String], now: Date = Date(), resource target: String? = nil, keyName requiredKeyName: String? = nil
    )
        throws(SASError)
    {
        guard let mac = MessageBody.base64Decode(signature), !mac.isEmpty else {
            throw SASError(.malformed, "sig is not base64")
        }
        let message = Array("\(resource)\n\(expiry)".utf8)
        var matched = false
        for key in keys {
            let symmetric = try Self.symmetricKey(key)
            if HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: symmetric) { matched = true }
        }
        guard matched else { throw SASError(.signatureMismatch, "the signature does not match any key") }

        guard Double(expiry) > now.timeIntervalSince1970 else {
            throw SASError(.expired, "the token expired at \(expiry) (now \(Int64(now.timeIntervalSince1970)))")
        }
        if let target {
            guard Self.covers(decodedResource, target) else {
                throw SASError(.resourceMismatch, "sr \(decodedResource) does not cover \(target)")
            }
        }
        if let requiredKeyName {
            guard keyName == requiredKeyName else {
                throw SASError(.keyNameMismatch, "skn is \(keyName ?? "(none)"), expected \(requiredKeyName)")
            }
        }
    }

    /// Whether resource `scope` covers `target`: equal, or a prefix ending at a `/`.
    static func covers(_ scope: String, _ target: String) -> Bool {
        func normalize(_ s: String) -> String {
            var t = s.lowercased()
            if let range = t.range(of: "://") { t = String(t[range.upperBound...]) }
            while t.hasSuffix("/") { t.removeLast() }
            return t
        }
        let s = normalize(scope)
        let t = normalize(Self.urlDecode(target) ?? target)
        guard !s.isEmpty else { return false }
        return t == s || t.hasPrefix(s + "/")
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (`A–Z a–z 0–9 - . _ ~`),
    /// with upper-case hex: `/` → `%2F`, `+` → `%2B`, `=` → `%3D`.
    public static func urlEncode(_ text: String) -> String {
        let hex: [Character] = Array("0123456789ABCDEF")
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return out
    }

    /// Decodes `%XX` escapes (either case). `+` stays `+` (a base64 `sig` may hold one
    /// unescaped). `nil` for a bad escape or bytes that are not UTF-8.
    public static func urlDecode(_ text: String) -> String? {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        func hexValue(_ b: UInt8?) -> UInt8? {
            switch b {
            case let b? where b >= 48 && b <= 57: return b - 48
            case let b? where b >= 65 && b <= 70: return b - 55
            case let b? where b >= 97 && b <= 102: return b - 87
            default: return nil
            }
        }
        while let b = iterator.next() {
            if b == UInt8(ascii: "%") {
                guard let high = hexValue(iterator.next()), let low = hexValue(iterator.next()) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(b)
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
