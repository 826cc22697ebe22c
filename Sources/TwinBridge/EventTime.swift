import ADTWire

/// Comparing the RFC 3339 UTC times of notifications and `$metadata` (`…T12:00:00.1234567Z`,
/// with any number of fraction digits, or none).
enum EventTime {
    /// Whether `a` is strictly before `b`; a time that does not read as one is never earlier.
    static func isEarlier(_ a: String, than b: String) -> Bool {
        guard let x = key(a), let y = key(b) else { return false }
        return x < y
    }

    /// `YYYY-MM-DDTHH:MM:SS` and nine fraction digits, comparable as text.
    static func key(_ text: String) -> String? {
        guard text.hasSuffix("Z") || text.hasSuffix("z") else { return nil }
        let body = text.dropLast()
        let whole = body.prefix(19)
        guard whole.count == 19 else { return nil }
        var fraction = ""
        let rest = body.dropFirst(19)
        if rest.first == "." { fraction = String(rest.dropFirst().prefix(9)) } else if !rest.isEmpty { return nil }
        guard fraction.allSatisfy(\.isNumber) else { return nil }
        return String(whole).uppercased() + fraction + String(repeating: "0", count: 9 - fraction.count)
    }
}

extension EventTime {
    /// Seconds since 1970 of an RFC 3339 UTC time, or `nil`.
    static func epochSeconds(_ text: String) -> Double? {
        guard let key = key(text) else { return nil }
        let digits = Array(key)
        func number(_ range: Range<Int>) -> Int? { Int(String(digits[range])) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let nanos = number(19..<28)
        else { return nil }
        let days = UTCTimestamp.daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86400 + hour * 3600 + minute * 60 + second) + Double(nanos) / 1e9
    }

    /// `to` minus `from`, in seconds, or `nil` when either does not read.
    static func seconds(from: String, to: String) -> Double? {
        guard let a = epochSeconds(from), let b = epochSeconds(to) else { return nil }
        return b - a
    }
}
