import Foundation

/// UTC date-times written by hand: Foundation's `ISO8601DateFormatter` and `DateFormatter`
/// build an ICU formatter per instance (tens of microseconds), which showed up as the largest
/// single cost of an IoT Hub device deletion; these are plain integer arithmetic.
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

    /// The calendar fields of a time and its microseconds within the second.
    static func civil(epochMicroseconds micros: Int64) -> (Civil, Int64) {
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            days -= 1
            secondOfDay += 86_400
        }
        let (year, month, day) = civilFromDays(Int(days))
        let s = Int(secondOfDay)
        return (Civil(year: year, month: month, day: day, hour: s / 3_600, minute: s % 3_600 / 60, second: s % 60), fraction)
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civilFromDays(_ count: Int) -> (year: Int, month: Int, day: Int) {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
