#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// UTC date-times written by hand from C's `gmtime_r`: Foundation's `ISO8601DateFormatter` and
/// `DateFormatter` build an ICU formatter per instance (tens of microseconds), which showed up
/// as the largest single cost of an IoT Hub device deletion.
public enum UTCTimestamp {
    /// The current time as ADT writes its timestamps: RFC 3339 in UTC with `fractionDigits`
    /// (ADT: seven) digits of the second and `Z` (`2023-02-17T21:58:49.5446632Z`).
    public static func now(fractionDigits: Int = 7) -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return rfc3339(seconds: Int64(now.tv_sec), nanoseconds: Int(now.tv_nsec), fractionDigits: fractionDigits)
    }

    /// RFC 3339 in UTC for a time in microseconds since 1970, with `fractionDigits` (0–9)
    /// digits of the second; the time is truncated to that precision.
    public static func rfc3339(epochMicroseconds micros: Int64, fractionDigits: Int) -> String {
        let (seconds, fraction) = split(micros, per: 1_000_000)
        return rfc3339(seconds: seconds, nanoseconds: Int(fraction) * 1_000, fractionDigits: fractionDigits)
    }

    /// RFC 3339 in UTC for whole seconds since 1970 and the nanoseconds within that second.
    public static func rfc3339(seconds: Int64, nanoseconds: Int, fractionDigits: Int) -> String {
        let civil = Civil(epochSeconds: seconds)
        var out: [UInt8] = []
        out.reserveCapacity(30)
        civil.writeDate(into: &out)
        out.append(UInt8(ascii: "T"))
        civil.writeTime(into: &out)
        let digits = min(max(fractionDigits, 0), 9)
        if digits > 0 {
            out.append(UInt8(ascii: "."))
            var scale = 1
            for _ in digits..<9 { scale *= 10 }
            appendDigits(nanoseconds / scale, width: digits, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), for
    /// reading dates back into seconds.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `MM/dd/yyyy HH:mm:ss` in UTC (the time stamp of IoT Hub's error messages).
    public static func usDateTime(epochSeconds: Int64) -> String {
        let civil = Civil(epochSeconds: epochSeconds)
        var out: [UInt8] = []
        appendFields((civil.month, 2), (civil.day, 2), (civil.year, 4), separator: UInt8(ascii: "/"), to: &out)
        out.append(UInt8(ascii: " "))
        civil.writeTime(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The calendar fields of a time in UTC.
    struct Civil: Equatable {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

        /// The fields of whole seconds since 1970, from C's `gmtime_r`.
        init(epochSeconds: Int64) {
            var time = time_t(epochSeconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            year = Int(parts.tm_year) + 1900
            month = Int(parts.tm_mon) + 1
            day = Int(parts.tm_mday)
            hour = Int(parts.tm_hour)
            minute = Int(parts.tm_min)
            second = Int(parts.tm_sec)
        }

        /// `yyyy-MM-dd`.
        func writeDate(into out: inout [UInt8]) {
            appendFields((year, 4), (month, 2), (day, 2), separator: UInt8(ascii: "-"), to: &out)
        }

        /// `HH:mm:ss`.
        func writeTime(into out: inout [UInt8]) {
            appendFields((hour, 2), (minute, 2), (second, 2), separator: UInt8(ascii: ":"), to: &out)
        }
    }

    /// Three zero-padded numbers with a separator between them.
    static func appendFields(
        _ first: (Int, width: Int), _ second: (Int, width: Int), _ third: (Int, width: Int), separator: UInt8,
        to out: inout [UInt8]
    ) {
        appendDigits(first.0, width: first.width, to: &out)
        out.append(separator)
        appendDigits(second.0, width: second.width, to: &out)
        out.append(separator)
        appendDigits(third.0, width: third.width, to: &out)
    }

    /// `value` split into whole units and a non-negative remainder (floor division).
    static func split(_ value: Int64, per unit: Int64) -> (Int64, Int64) {
        var whole = value / unit
        var rest = value % unit
        if rest < 0 {
            whole -= 1
            rest += unit
        }
        return (whole, rest)
    }

    /// The decimal digits of a non-negative `value`, zero-padded to at least `width`.
    static func appendDigits(_ value: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1
        var count = 1
        while count < width || value / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
