import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL

/// How our servers (the gateway, the functions host) listen: HTTP/1.1, or HTTP/1.1 over TLS.
public enum HTTPServer {
    /// Plain HTTP/1.1, or HTTP/1.1 over TLS with `tls` (from ``ServerTLS``).
    ///
    /// Not HTTP/2 by ALPN: Hummingbird's `HTTP2UpgradeChannel` waits for the TLS handshake
    /// without a limit, so one client that connects and sends nothing keeps a graceful shutdown
    /// (SIGTERM) from ever finishing; the HTTP/1.1 channel closes such an idle connection. The
    /// channel is built directly rather than through `.tls(.http1(), tlsConfiguration:)`, which
    /// is declared `throws` although it only fails when a connection is set up (the files are
    /// checked before, by ``ServerTLS``).
    public static func builder(tls: TLSConfiguration?) -> HTTPServerBuilder {
        guard let tls else { return .http1() }
        return HTTPServerBuilder { responder in
            try TLSChannel(HTTP1Channel(responder: responder), tlsConfiguration: tls)
        }
    }

    /// The URL a server listens on (`http://127.0.0.1:8080`, `https://[::1]:443`): the address
    /// and port the channel bound, else the configured ones.
    public static func url(of channel: any Channel, tls: Bool, host: String, port: Int) -> String {
        let address = channel.localAddress
        let boundHost = address?.ipAddress ?? host
        let hostText = boundHost.contains(":") ? "[\(boundHost)]" : boundHost
        return "\(tls ? "https" : "http")://\(hostText):\(address?.port ?? port)"
    }
}
