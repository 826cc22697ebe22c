import Foundation

/// Percent-encoding of path segments, query values and form bodies (RFC 3986): every byte
/// outside the unreserved set `A–Z a–z 0–9 - . _ ~` is encoded, so twin ids with spaces, `/`,
/// `?`, `#`, `%` or non-ASCII characters stay one segment (`dtmi:a:b;1` → `dtmi%3Aa%3Ab%3B1`,
/// as ADT's recordings show).
enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// One path segment or query component.
    static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `name=value&…`, each part encoded (also the `application/x-www-form-urlencoded` body).
    static func query(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// `/a/b` from unencoded segments.
    static func path(_ segments: [String]) -> String {
        segments.map { "/" + encode($0) }.joined()
    }
}

/// The parts of an absolute http(s) URL that the client checks.
struct URLOrigin: Hashable, Sendable {
    var scheme: String
    var host: String
    var port: Int

    /// The origin of `url`, or `nil` when it is not an absolute http(s) URL with a host.
    init?(_ url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = components.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
    }

    /// Whether the host is this machine (`localhost`, `127.0.0.0/8`, `::1`): plain HTTP is
    /// accepted for secrets and tokens only there.
    var isLoopback: Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host.hasPrefix("127.")
    }
}
