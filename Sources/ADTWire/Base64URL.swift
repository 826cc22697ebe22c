/// Base64url without padding (RFC 4648 §5, as JWTs use it, RFC 7515 §2), also the encoding of
/// our opaque continuation tokens. Written out here so that the wire vocabulary needs no
/// Foundation.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The 6-bit value of each byte of the alphabet, 0xFF for the rest.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        // Plain base64's two symbols are read too, as Foundation read them once `-`/`_` were swapped.
        table[Int(UInt8(ascii: "+"))] = 62
        table[Int(UInt8(ascii: "/"))] = 63
        return table
    }()

    /// The bytes' base64url text, without `=` padding.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index < input.count {
            let chunk = min(3, input.count - index)
            var group = UInt32(input[index]) << 16
            if chunk > 1 { group |= UInt32(input[index + 1]) << 8 }
            if chunk > 2 { group |= UInt32(input[index + 2]) }
            for position in 0...chunk {
                out.append(alphabet[Int((group >> UInt32(18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64url text, padded with `=` or not; `nil` when it is not base64url
    /// (a character outside either base64 alphabet, or a length no encoding has).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var symbols = Array(text.utf8)
        while symbols.last == UInt8(ascii: "=") { symbols.removeLast() }
        guard symbols.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var group: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            let value = values[Int(symbol)]
            guard value != 0xFF else { return nil }
            group = group << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((group >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
