import DeviceLifecycle

/// How the functions host listens, which keys it accepts, and the functions' own settings.
public struct FunctionsHostConfiguration: Sendable {
    /// The address to bind, `127.0.0.1` by default (loopback only).
    public var host: String
    /// The TCP port, 7071 by default (the port of a local Azure Functions host); 0 picks a
    /// free one.
    public var port: Int
    /// The accepted function keys. Empty: keys are not required, which ``validate()`` allows
    /// on a loopback address only.
    public var keys: FunctionKeys
    /// Allow serving without keys on an address other than loopback (anyone who reaches the
    /// port may then call the functions). Off by default.
    public var allowAnonymousOnAnyAddress: Bool
    /// Request bodies larger than this are refused with 413 before being read whole. The
    /// default, 4 MiB, is well above a DPS allocation request (a few KB) and an Event Grid or
    /// Event Hubs batch of telemetry (Event Grid delivers at most 1 MB per event).
    public var maxBodyBytes: Int
    /// Settings of *allocate* (default model, hub policy, fallback hubs).
    public var allocation: AllocationConfiguration
    /// Settings of *retire*.
    public var retire: RetireConfiguration
    /// Settings of *ingest*.
    public var ingest: IngestConfiguration

    /// A configuration; the defaults serve on `127.0.0.1:7071` without keys.
    public init(
        host: String = "127.0.0.1", port: Int = 7071, keys: FunctionKeys = FunctionKeys(),
        allowAnonymousOnAnyAddress: Bool = false, maxBodyBytes: Int = 4 << 20,
        allocation: AllocationConfiguration = AllocationConfiguration(),
        retire: RetireConfiguration = RetireConfiguration(), ingest: IngestConfiguration = IngestConfiguration()
    ) {
        self.host = host
        self.port = port
        self.keys = keys
        self.allowAnonymousOnAnyAddress = allowAnonymousOnAnyAddress
        self.maxBodyBytes = maxBodyBytes
        self.allocation = allocation
        self.retire = retire
        self.ingest = ingest
    }

    /// Whether ``host`` is a loopback address (`localhost`, `127.x.y.z`, `::1`), reachable
    /// from this machine only.
    public var listensOnLoopback: Bool {
        let name = host.lowercased()
        return ["localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1"].contains(name) || name.hasPrefix("127.")
    }

    /// Checks the configuration before the host starts.
    ///
    /// - Throws: ``FunctionsHostConfigurationError``: ``FunctionsHostConfigurationError/Code/keysRequired``
    ///   when no key is configured and the host listens beyond loopback (unless
    ///   ``allowAnonymousOnAnyAddress``), and errors for a port outside 0…65535 or a body
    ///   limit that is not positive.
    public func validate() throws(FunctionsHostConfigurationError) {
        guard (0...65535).contains(port) else {
            throw FunctionsHostConfigurationError(.invalidPort, "the port \(port) is not between 0 and 65535")
        }
        guard maxBodyBytes > 0 else {
            throw FunctionsHostConfigurationError(
                .invalidBodyLimit, "the body limit must be positive, not \(maxBodyBytes)")
        }
        if keys.isEmpty && !listensOnLoopback && !allowAnonymousOnAnyAddress {
            throw FunctionsHostConfigurationError(
                .keysRequired,
                "no function keys are configured, so anyone who reaches \(host):\(port) could call the functions; "
                    + "configure a key or listen on a loopback address")
        }
    }
}

/// Why a ``FunctionsHostConfiguration`` cannot be served.
public struct FunctionsHostConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Code: String, Sendable, Hashable {
        /// No function keys, and an address other than loopback.
        case keysRequired
        /// A port outside 0…65535.
        case invalidPort
        /// A body limit that is not positive.
        case invalidBodyLimit
    }

    /// What is wrong.
    public var code: Code
    /// A sentence for the operator.
    public var description: String

    /// An error with a code and a sentence.
    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
