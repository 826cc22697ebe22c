import Foundation
import Testing

import ADTWire

@Suite struct UTCTimestampTests {
    /// Against Foundation's ISO 8601 formatter over four centuries of days, leap days included.
    @Test func agreesWithFoundationAcrossCenturies() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 10_413_792_000 {  // 2300-01-01
            let date = Date(timeIntervalSince1970: Double(seconds))
            #expect(
                UTCTimestamp.rfc3339(seconds: seconds, nanoseconds: 0, fractionDigits: 0)
                    == formatter.string(from: date))
            seconds += 86_400 * 7 + 3_661
        }
    }

    @Test func fractionsAreCutToTheDigitsAsked() {
        let micros: Int64 = 1_661_983_370_516_335
        #expect(UTCTimestamp.rfc3339(epochMicroseconds: micros, fractionDigits: 7) == "2022-08-31T22:02:50.5163350Z")
        #expect(UTCTimestamp.rfc3339(epochMicroseconds: micros, fractionDigits: 3) == "2022-08-31T22:02:50.516Z")
        #expect(UTCTimestamp.rfc3339(epochMicroseconds: -1, fractionDigits: 6) == "1969-12-31T23:59:59.999999Z")
        #expect(
            UTCTimestamp.rfc3339(epochMicroseconds: 951_782_400_000_000, fractionDigits: 0) == "2000-02-29T00:00:00Z")
        #expect(UTCTimestamp.usDateTime(epochSeconds: 1_661_983_370) == "08/31/2022 22:02:50")
    }

    /// The clock's own reading has ADT's shape: seven digits of the second and `Z`.
    @Test func nowHasADTsShape() {
        let text = UTCTimestamp.now()
        #expect(text.utf8.count == 28)
        #expect(text.hasSuffix("Z"))
        #expect(text.split(separator: ".").last?.count == 8)
        #expect(UTCTimestamp.now(fractionDigits: 0).utf8.count == 20)
    }
}
