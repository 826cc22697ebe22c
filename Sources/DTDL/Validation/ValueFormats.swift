/// Hand-written scanners for the string-encoded DTDL primitive schemas: `date`, `dateTime`,
/// `time`, `duration`, `uuid` and `bytes`. They work on UTF-8 bytes without Foundation, without
/// regular expressions and without allocating, since twin validation runs them at high rates.
///
/// The accepted grammar follows the official DTDLParser's instance cases (DTDL
/// `DateInstances`, `TimeInstances`, `DateTimeInstances`, `DurationInstances`): RFC 3339 dates
/// and times with a mandatory offset, no leap second, and ISO 8601 durations whose fraction may
/// only appear on the last component.
public enum ValueFormats {
    /// Whether `text` is an RFC 3339 `full-date` (`YYYY-MM-DD`, year 0001-9999, a real calendar day).
    public static func isDate(_ text: String) -> Bool { scan(text) { isDate($0) } }

    /// Whether `text` is an RFC 3339 `date-time` with an offset (`1980-01-01T06:00:00.5+01:00`).
    public static func isDateTime(_ text: String) -> Bool { scan(text) { isDateTime($0) } }

    /// Whether `text` is an RFC 3339 `full-time`: `HH:MM:SS`, an optional fraction and an offset
    /// (`Z` or `±HH:MM`). The DTDLParser cases reject a time without offset and second 60.
    public static func isTime(_ text: String) -> Bool { scan(text) { isFullTime($0[...]) } }

    /// Whether `text` is an ISO 8601 duration such as `P3Y6M4DT12H30M5S`, `PT0.5S` or `P2W`.
    public static func isDuration(_ text: String) -> Bool { scan(text) { isDuration($0) } }

    /// Whether `text` is a UUID in the 8-4-4-4-12 hexadecimal form (either case, no braces).
    public static func isUUID(_ text: String) -> Bool { scan(text) { isUUID($0) } }

    /// Whether `text` is standard base64 (RFC 4648 §4 alphabet, padded to a multiple of 4).
    public static func isBase64(_ text: String) -> Bool { scan(text) { isBase64($0) } }

    // MARK: - Byte access

    typealias Bytes = UnsafeBufferPointer<UInt8>

    @inline(__always)
    static func scan(_ text: String, _ body: (Bytes) -> Bool) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    @inline(__always) static func digit(_ b: UInt8) -> Int? {
        b >= 0x30 && b <= 0x39 ? Int(b &- 0x30) : nil
    }

    /// The number written by the `count` digits at `start`, or `nil` when one is not a digit.
    @inline(__always) static func number(_ s: Slice<Bytes>, _ start: Int, _ count: Int) -> Int? {
        guard start >= s.startIndex, start + count <= s.endIndex else { return nil }
        var v = 0
        for i in start..<(start + count) {
            guard let d = digit(s[i]) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    // MARK: - Dates and times

    static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(_ m: Int, year y: Int) -> Int {
        switch m {
        case 2: return isLeapYear(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD` exactly filling `s`.
    static func isFullDate(_ s: Slice<Bytes>) -> Bool {
        let b = s.startIndex
        guard s.count == 10, s[b + 4] == UInt8(ascii: "-"), s[b + 7] == UInt8(ascii: "-"),
            let y = number(s, b, 4), let m = number(s, b + 5, 2), let d = number(s, b + 8, 2)
        else { return false }
        return y >= 1 && (1...12).contains(m) && d >= 1 && d <= daysInMonth(m, year: y)
    }

    static func isDate(_ s: Bytes) -> Bool { isFullDate(s[...]) }

    /// `HH:MM:SS[.fraction](Z|±HH:MM)` exactly filling `s`.
    static func isFullTime(_ s: Slice<Bytes>) -> Bool {
        let b = s.startIndex
        guard s.count >= 9, s[b + 2] == UInt8(ascii: ":"), s[b + 5] == UInt8(ascii: ":"),
            let h = number(s, b, 2), let m = number(s, b + 3, 2), let sec = number(s, b + 6, 2),
            h <= 23, m <= 59, sec <= 59
        else { return false }
        var i = b + 8
        if i < s.endIndex, s[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < s.endIndex, digit(s[i]) != nil { i += 1 }
            guard i > fractionStart else { return false }
        }
        return isOffset(s[i...])
    }

    /// `Z`, `z` or `±HH:MM` exactly filling `s` (RFC 3339 allows the lower-case `z`).
    static func isOffset(_ s: Slice<Bytes>) -> Bool {
        let b = s.startIndex
        if s.count == 1 { return s[b] == UInt8(ascii: "Z") || s[b] == UInt8(ascii: "z") }
        guard s.count == 6, s[b] == UInt8(ascii: "+") || s[b] == UInt8(ascii: "-"), s[b + 3] == UInt8(ascii: ":"),
            let h = number(s, b + 1, 2), let m = number(s, b + 4, 2)
        else { return false }
        return h <= 23 && m <= 59
    }

    static func isDateTime(_ s: Bytes) -> Bool {
        guard s.count >= 20, s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: "t") else { return false }
        return isFullDate(s[0..<10]) && isFullTime(s[11...])
    }

    // MARK: - Duration

    /// ISO 8601 duration: `P[nY][nM][nW][nD][T[nH][nM][nS]]`, at least one component, at least
    /// one after `T`, components in that order, a decimal fraction only on the last component,
    /// and weeks not mixed with years or months (the DTDLParser cases accept `P2W4DT8H` but
    /// reject `P1Y3W`). No sign: ISO 8601 has none.
    static func isDuration(_ s: Bytes) -> Bool {
        guard s.count >= 3, s[0] == UInt8(ascii: "P") else { return false }
        var i = 1
        // Designators in the order they may appear; `rank` only increases.
        var rank = 0
        var inTime = false
        var componentsInTime = 0
        var components = 0
        var sawFraction = false
        var sawYearOrMonth = false
        var sawWeek = false
        while i < s.count {
            if s[i] == UInt8(ascii: "T") {
                guard !inTime, !sawFraction else { return false }
                inTime = true
                i += 1
                continue
            }
            // A component: digits, optional fraction, designator.
            guard !sawFraction else { return false }
            let digitsStart = i
            while i < s.count, digit(s[i]) != nil { i += 1 }
            guard i > digitsStart, i < s.count else { return false }
            // Only `.` as decimal sign: the ISO 8601 comma is not in the DTDLParser grammar.
            if s[i] == UInt8(ascii: ".") {
                i += 1
                let fractionStart = i
                while i < s.count, digit(s[i]) != nil { i += 1 }
                guard i > fractionStart, i < s.count else { return false }
                sawFraction = true
            }
            let newRank: Int
            switch (inTime, s[i]) {
            case (false, UInt8(ascii: "Y")): newRank = 1; sawYearOrMonth = true
            case (false, UInt8(ascii: "M")): newRank = 2; sawYearOrMonth = true
            case (false, UInt8(ascii: "W")): newRank = 3; sawWeek = true
            case (false, UInt8(ascii: "D")): newRank = 4
            case (true, UInt8(ascii: "H")): newRank = 5
            case (true, UInt8(ascii: "M")): newRank = 6
            case (true, UInt8(ascii: "S")): newRank = 7
            default: return false
            }
            guard newRank > rank, !(sawWeek && sawYearOrMonth) else { return false }
            rank = newRank
            components += 1
            if inTime { componentsInTime += 1 }
            i += 1
        }
        return components > 0 && (!inTime || componentsInTime > 0)
    }

    // MARK: - uuid and bytes

    @inline(__always) static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    static func isUUID(_ s: Bytes) -> Bool {
        guard s.count == 36 else { return false }
        for i in 0..<36 {
            switch i {
            case 8, 13, 18, 23: guard s[i] == UInt8(ascii: "-") else { return false }
            default: guard isHex(s[i]) else { return false }
            }
        }
        return true
    }

    @inline(__always) static func isBase64Symbol(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "/")
    }

    static func isBase64(_ s: Bytes) -> Bool {
        guard s.count % 4 == 0 else { return false }
        var padding = 0
        for i in 0..<s.count {
            if s[i] == UInt8(ascii: "=") {
                padding += 1
                // Padding only in the last two positions.
                guard i >= s.count - 2 else { return false }
            } else {
                guard padding == 0, isBase64Symbol(s[i]) else { return false }
            }
        }
        return padding <= 2
    }
}
