import BulkJobs
import EventDelivery
import EventRoutes
import NIOSSL
import PostgresSupport
import TwinStore

/// How the gateway listens.
public struct GatewayConfiguration: Sendable {
    /// The address to bind, `127.0.0.1` by default (loopback only).
    public var host: String
    /// The TCP port, 8080 by default.
    public var port: Int
    /// When set, the gateway serves HTTPS (HTTP/1.1 over TLS) with this server
    /// configuration, usually from ``ServerTLS/configuration(certificateChainFile:privateKeyFile:)``;
    /// `nil` serves plain HTTP.
    public var tls: TLSConfiguration?
    /// Request bodies larger than this are refused before being read whole. The default, 32 MiB,
    /// fits the largest legitimate request: a model upload of up to 250 models (each at most
    /// 1 MB, usually a few KB).
    public var maxBodyBytes: Int
    /// Query extensions beyond ADT: JOIN and MATCH without a `$dtId` anchor, and `ORDER BY`.
    /// Off by default, so that a query that works here works on ADT too.
    public var queryExtensions = false
    /// Who may call the ADT routes (`none` by default: a local gateway).
    public var auth: AuthConfiguration = .none
    /// The endpoints event routes may name (`twins serve --endpoints FILE`); none by default.
    public var endpoints: [EventEndpoint] = []
    /// The most event routes the instance holds (ADT: 6).
    public var maxEventRoutes = EventRoute.defaultLimit
    /// The instance's host name, the `source` of its change notifications (ADT's is
    /// `<instance>.api.<region>.digitaltwins.azure.net`); every gateway on one database should
    /// have the same.
    public var instanceHost = ChangeNotifications.defaultSource
    /// How notifications are delivered to the endpoints (time to live, retries, leases).
    public var eventDelivery = EventDeliveryConfiguration()
    /// How bulk jobs run, and where `file://` job locations may be.
    public var jobs = JobsConfiguration()
    /// `GET /digitaltwins/{id}` reads coalesced under load: at most this many statements in
    /// flight, each fetching every read that waited (docs/performance.md); `nil` reads one
    /// statement per request. Two keeps the statements large: measured best on 2 cores.
    public var twinReadSlots: Int? = 2
    /// Twin writes (PUT replacing a twin, PATCH) coalesced under load: at most this many read
    /// statements and this many update statements in flight, each serving every write that
    /// waited; `nil` gives each write its own statements.
    public var twinWriteSlots: Int? = 2
    /// Connections outside the pool for the coalesced twin statements (one per slot), as
    /// `twins serve` makes them; `nil` runs those statements on the pool's connections.
    public var twinConnections: DedicatedConnections?
    /// The `application_name` the database pool connects under and its size: with them, the
    /// metrics show the pool's connections by state (``DatabasePoolMetrics``).
    public var databasePool: DatabasePoolIdentity?

    /// A configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, tls: TLSConfiguration? = nil, maxBodyBytes: Int = 32 << 20
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.maxBodyBytes = maxBodyBytes
    }
}

/// How a gateway's database pool shows itself in `pg_stat_activity`.
public struct DatabasePoolIdentity: Sendable {
    /// The pool's `application_name`, unique per process.
    public var applicationName: String
    /// The pool's connection limit.
    public var maximumConnections: Int

    /// The identity of a pool of `maximumConnections` connecting as `applicationName`.
    public init(applicationName: String, maximumConnections: Int) {
        self.applicationName = applicationName
        self.maximumConnections = maximumConnections
    }
}
