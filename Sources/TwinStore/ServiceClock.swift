import Foundation

/// The service's timestamps, as ADT writes them: UTC with exactly seven fractional digits and
/// `Z` (`2023-02-17T21:58:49.5446632Z`).
enum ServiceClock {
    static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ticks = Int(ts.tv_nsec) / 100
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), ticks)
    }

    /// A new weak ETag, `W/"<uuid>"`, and its uuid.
    static func newETag() -> (header: String, uuid: String) {
        let uuid = UUID().uuidString.lowercased()
        return ("W/\"\(uuid)\"", uuid)
    }
}
