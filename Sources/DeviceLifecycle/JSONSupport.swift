import ADTWire
import DTDL
import Foundation

extension JSONObject {
    /// The first of `names` present, compared exactly and then case-insensitively (hosts
    /// spell envelope members `properties` or `Properties`, headers `ce-type` or `Ce-Type`).
    func member(_ names: String...) -> JSONValue? {
        for name in names { if let v = self[name] { return v } }
        for name in names {
            let lower = name.lowercased()
            if let m = members.first(where: { $0.key.lowercased() == lower }) { return m.value }
        }
        return nil
    }

    /// A string member (see ``member(_:)``), `nil` when absent, not a string, or empty.
    func string(_ names: String...) -> String? {
        for name in names {
            if let s = member(name)?.stringValue, !s.isEmpty { return s }
        }
        return nil
    }
}

/// Decoding of message bodies that travel as JSON, JSON text or base64.
enum MessageBody {
    /// Parses UTF-8 JSON text, or `nil`.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONParser.parse(bytes)
    }

    /// Base64 (standard alphabet, padding optional, surrounding whitespace ignored) to bytes.
    static func base64Decode(_ text: String) -> [UInt8]? {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty else { return nil }
        let remainder = s.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { s += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: s).map { Array($0) }
    }

    /// The JSON object a message body carries.
    ///
    /// - An object is the body itself.
    /// - A string is base64 of the body bytes when `base64` is `true`. Otherwise it is tried
    ///   as JSON text first and as base64 second; the two cannot be confused for an object,
    ///   because JSON object text starts with `{`, which is not in the base64 alphabet.
    ///
    /// - Returns: `nil` when no JSON object can be read.
    static func object(from body: JSONValue, base64: Bool) -> JSONObject? {
        switch body {
        case .object(let o):
            return o
        case .string(let s):
            if !base64, let o = parse(Array(s.utf8))?.objectValue { return o }
            guard let bytes = base64Decode(s) else { return nil }
            return parse(bytes)?.objectValue
        default:
            return nil
        }
    }
}

/// Message timestamps, normalised to RFC 3339 for `sourceTime` / `Telemetry-Source-Time`.
enum Timestamp {
    /// Epoch milliseconds of years 0001 to 9999, the years RFC 3339 can write.
    static let writableMilliseconds: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// RFC 3339 UTC with milliseconds for an epoch time in milliseconds (IoT Hub's
    /// `iothub-enqueuedtime` AMQP annotation); `nil` outside years 0001 to 9999.
    static func rfc3339(epochMilliseconds ms: Int64) -> String? {
        guard writableMilliseconds.contains(ms) else { return nil }
        return UTCTimestamp.rfc3339(epochMicroseconds: ms * 1_000, fractionDigits: 3)
    }

    /// A message time as RFC 3339: epoch milliseconds (number or digit string) are converted;
    /// an RFC 3339 / ISO 8601 date-time string is kept as sent (its precision preserved),
    /// with a `Z` added when it has no offset (.NET's `DateTime` rendering of UTC times).
    /// Anything else gives `nil`.
    static func normalize(_ value: JSONValue?) -> String? {
        switch value {
        case .integer(let ms)?:
            return rfc3339(epochMilliseconds: ms)
        case .double(let ms)?:
            let range = writableMilliseconds
            return ms >= Double(range.lowerBound) && ms <= Double(range.upperBound)
                ? rfc3339(epochMilliseconds: Int64(ms)) : nil
        case .string(let s)?:
            if !s.isEmpty, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber), let ms = Int64(s) {
                return rfc3339(epochMilliseconds: ms)
            }
            return isDateTime(s) ? s : (isDateTime(s + "Z") ? s + "Z" : nil)
        default:
            return nil
        }
    }

    /// Whether `s` is an RFC 3339 date-time (any number of fraction digits).
    static func isDateTime(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        // yyyy-mm-ddThh:mm:ss
        guard bytes.count >= 20 else { return false }
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { bytes[$0] >= 48 && bytes[$0] <= 57 } }
        guard digits(0..<4), bytes[4] == 45, digits(5..<7), bytes[7] == 45, digits(8..<10),
            bytes[10] == 84 || bytes[10] == 116, digits(11..<13), bytes[13] == 58, digits(14..<16), bytes[16] == 58,
            digits(17..<19)
        else { return false }
        var i = 19
        if bytes[i] == 46 {
            i += 1
            let start = i
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
            guard i > start else { return false }
        }
        guard i < bytes.count else { return false }
        if bytes[i] == 90 || bytes[i] == 122 { return i + 1 == bytes.count }
        guard bytes[i] == 43 || bytes[i] == 45, bytes.count == i + 6 else { return false }
        return digits(i + 1..<i + 3) && bytes[i + 3] == 58 && digits(i + 4..<i + 6)
    }
}
