import Foundation

/// UTC date-times written by hand: Foundation's `ISO8601DateFormatter` and `DateFormatter`
/// build an ICU formatter per instance (tens of microseconds), which showed up as the largest
/// single cost of an IoT Hub device deletion; these take the fields from `gmtime_r`.
public enum UTCTimestamp {
    /// RFC 3339 in UTC (`2022-08-31T22:02:50.5163352Z`) with `fractionDigits` (0–9) digits of
    /// the second; the time is truncated to that precision (rounded to the microsecond first).
    public static func rfc3339(_ date: Date, fractionDigits: Int) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return rfc3339(epochMicroseconds: micros, fractionDigits: fractionDigits)
    }

    /// RFC 3339 in UTC for a time in microseconds since 1970.
    public static func rfc3339(epochMicroseconds micros: Int64, fractionDigits: Int) -> String {
        let (parts, fraction) = civil(epochMicroseconds: micros)
        var text = pad(parts.year, 4) + "-" + pad(parts.month, 2) + "-" + pad(parts.day, 2)
        text += "T" + pad(parts.hour, 2) + ":" + pad(parts.minute, 2) + ":" + pad(parts.second, 2)
        let digits = min(max(fractionDigits, 0), 9)
        if digits > 0 {
            // Nine digits of nanoseconds, cut to the precision asked for.
            let nanos = pad(Int(fraction) * 1_000, 9)
            text += "." + nanos.prefix(digits)
        }
        return text + "Z"
    }

    /// `MM/dd/yyyy HH:mm:ss` in UTC (the time stamp of IoT Hub's error messages).
    public static func usDateTime(_ date: Date) -> String {
        let (parts, _) = civil(epochMicroseconds: Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down)))
        return pad(parts.month, 2) + "/" + pad(parts.day, 2) + "/" + pad(parts.year, 4) + " " + pad(parts.hour, 2) + ":"
            + pad(parts.minute, 2) + ":" + pad(parts.second, 2)
    }

    struct Civil: Equatable {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
    }

    /// The calendar fields of a time (C's `gmtime_r`, as the gateway's clock uses) and its
    /// microseconds within the second.
    static func civil(epochMicroseconds micros: Int64) -> (Civil, Int64) {
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let civil = Civil(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
        return (civil, fraction)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
