/// How the gateway listens.
public struct GatewayConfiguration: Sendable {
    /// The address to bind, `127.0.0.1` by default (loopback only).
    public var host: String
    /// The TCP port, 8080 by default.
    public var port: Int

    /// A configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}
