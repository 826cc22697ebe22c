import DigitalTwinsClient
import HTTPTransport

/// GET over libcurl, for the gateway's own outgoing calls (an issuer's OpenID configuration and
/// keys). TLS is verified against the system's trust store.
enum HTTPFetch {
    static func get(_ url: String) async throws -> [UInt8] {
        let response = try await CurlTransport.shared.send(TransportRequest(method: .get, url: url))
        guard response.status == 200 else { throw CommandFailure("GET \(url) answered \(response.status)") }
        return response.body
    }
}
