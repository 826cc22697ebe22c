import BulkJobs
import ArgumentParser
import EventRoutes
import Foundation
import HTTPServerSetup
import Hummingbird
import Observability
import PostgresNIO
import PostgresSupport
import TwinGateway
import TwinStore

/// `twins serve`: the ADT-compatible HTTP gateway.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the gateway over HTTP, or HTTPS with --tls-cert and --tls-key.",
        discussion: """
            Examples:
              twins serve
              twins serve --port 9000 --database-url postgres://me@127.0.0.1:5432/twins
              TWINS_PORT=9000 twins serve --no-migrate
              twins serve --tls-cert certs/cert.pem --tls-key certs/key.pem
                  (certificate from `twins dev-cert --out certs`)
            """
    )

    @Option(help: ArgumentHelp("Address to listen on (env TWINS_HOST). Default: 127.0.0.1", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on (env TWINS_PORT). Default: 8080", valueName: "port"))
    var port: Int?

    @Flag(help: "Do not apply pending migrations on start (env TWINS_NO_MIGRATE=1).")
    var noMigrate = false

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp(
            "PEM certificate chain, leaf first: serve HTTPS (env TWINS_TLS_CERT). Needs --tls-key.", valueName: "file"))
    var tlsCert: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp(
            "PEM private key of the certificate (env TWINS_TLS_KEY). Needs --tls-cert.", valueName: "file"))
    var tlsKey: String?

    @Option(
        help: ArgumentHelp(
            "Refuse request bodies larger than this many bytes before reading them whole (env TWINS_MAX_BODY_BYTES). Default: 33554432 (32 MiB)",
            valueName: "bytes"))
    var maxBodyBytes: Int?

    @Option(
        help: ArgumentHelp(
            "Connections to PostgreSQL, opened at start and kept (env TWINS_DATABASE_POOL_SIZE). Default: 32",
            valueName: "count"))
    var databasePoolSize: Int?

    @Option(
        help: ArgumentHelp(
            "Cancel a query (any database statement) after this many seconds: TimeoutError, as ADT's 60 s limit (env TWINS_QUERY_TIMEOUT). Default: 60",
            valueName: "seconds"))
    var queryTimeout: Int?

    @Flag(
        help:
            "Query extensions beyond ADT: JOIN and MATCH without a $dtId anchor, and ORDER BY (env TWINS_QUERY_EXTENSIONS=1)."
    )
    var queryExtensions = false

    @Option(
        help: ArgumentHelp("none or jwt (env TWINS_AUTH). Default: none, or jwt with --dev-issuer", valueName: "mode"))
    var auth: String?

    @Option(
        name: .customLong("issuer"),
        help: ArgumentHelp(
            "With --auth jwt: a trusted token issuer, such as https://login.microsoftonline.com/<tenant>/v2.0 (env TWINS_ISSUER; repeatable)",
            valueName: "url"))
    var issuers: [String] = []

    @Option(
        help: ArgumentHelp(
            "The issuers' signature keys: a JWKS (JSON) or a PEM public key (env TWINS_JWKS_FILE). Without it, keys come from each issuer's OpenID configuration",
            valueName: "file"))
    var jwksFile: String?

    @Option(
        help: ArgumentHelp(
            "JSON array of {\"principalId\", \"role\"}: roles by object or application id, beside the token's roles claim (env TWINS_ROLE_ASSIGNMENTS)",
            valueName: "file"))
    var roleAssignments: String?

    @Flag(help: "Serve a development token issuer at /dev-issuer (env TWINS_DEV_ISSUER=1); implies --auth jwt.")
    var devIssuer = false

    @Option(
        name: .customLong("dev-client"),
        help: ArgumentHelp(
            "A client of the development issuer: ID:SECRET[:owner|reader] (env TWINS_DEV_CLIENTS, comma-separated; repeatable)",
            valueName: "client"))
    var devClients: [String] = []

    @Option(
        help: ArgumentHelp(
            "PEM file of the development issuer's signing key, created if missing, so tokens survive restarts (env TWINS_DEV_ISSUER_KEY). Default: a new key per start",
            valueName: "file"))
    var devIssuerKey: String?

    @Option(
        help: ArgumentHelp(
            "JSON file of the endpoints event routes may name: [{\"name\", \"type\", ...}] (env TWINS_ENDPOINTS). Default: none",
            valueName: "file"))
    var endpoints: String?

    @Option(
        help: ArgumentHelp(
            "The most event routes the instance holds (env TWINS_MAX_EVENT_ROUTES). Default: 6, as ADT",
            valueName: "count"
        ))
    var maxEventRoutes: Int?

    @Option(
        help: ArgumentHelp(
            "The instance's host name, the source of its change notifications; the same on every gateway of one database (env TWINS_INSTANCE_HOST). Default: localhost",
            valueName: "name"))
    var instanceHost: String?

    @Option(
        name: .customLong("event-ttl"),
        help: ArgumentHelp(
            "Seconds an undelivered notification is retried before it becomes a dead letter (env TWINS_EVENT_TTL). Default: 86400, as ADT",
            valueName: "seconds"))
    var eventTTL: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds a gateway holds its share of event delivery without renewing it; after a crash the other gateways take over after this long (env TWINS_EVENT_LEASE). Default: 15",
            valueName: "seconds"))
    var eventLease: Int?

    @Option(
        help: ArgumentHelp(
            "The longest wait, in seconds, between two attempts to deliver to an endpoint that fails; the wait starts at 1 s and doubles (env TWINS_EVENT_MAX_RETRY_DELAY). Default: 300",
            valueName: "seconds"))
    var eventMaxRetryDelay: Int?

    @Option(
        help: ArgumentHelp(
            "A directory whose files import jobs may read and write as file:// URIs; without it only http(s) URIs are allowed (env TWINS_IMPORT_DIR)",
            valueName: "dir"))
    var importDir: String?

    @Option(
        help: ArgumentHelp(
            "Seconds a gateway holds a running bulk job without renewing it; after a crash another gateway (or this one, restarted) resumes it after this long (env TWINS_JOB_LEASE). Default: 15",
            valueName: "seconds"))
    var jobLease: Int?

    @Option(
        help: ArgumentHelp(
            "GET twin reads coalesced under load: at most this many statements in flight, each fetching every read that waited; 0 reads one statement per request (env TWINS_READ_SLOTS). Default: 2",
            valueName: "count"))
    var readSlots: Int?

    @Option(
        help: ArgumentHelp(
            "Twin writes (PUT replacing a twin, PATCH) coalesced under load: at most this many read and this many update statements in flight, each serving every write that waited; 0 gives each write its own statements (env TWINS_WRITE_SLOTS). Default: 2",
            valueName: "count"))
    var writeSlots: Int?

    @Flag(help: "Allow --auth none on an address other than loopback: anyone who reaches the port may read and write.")
    var insecureNoAuth = false

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var observe: ObservabilityOptions

    func run() async throws {
        try await runReportingFailure {
            let logger = try Environment.bootstrapLogging(database.logLevel, format: observe.format())
            let tracing = try observe.startTracing(serviceName: "twins-gateway", logger: logger)
            let url = try database.url()
            var gateway = GatewayConfiguration(
                host: Environment.string(host, "TWINS_HOST", default: "127.0.0.1"),
                port: try Environment.int(port, "TWINS_PORT", default: 8080),
                maxBodyBytes: try Environment.int(maxBodyBytes, "TWINS_MAX_BODY_BYTES", default: 32 << 20))
            guard gateway.maxBodyBytes > 0 else { throw CommandFailure("--max-body-bytes must be positive") }
            gateway.queryExtensions = Environment.bool(queryExtensions, "TWINS_QUERY_EXTENSIONS")
            // The default is the configuration's own, stated once there.
            let slots = try Environment.int(readSlots, "TWINS_READ_SLOTS", default: gateway.twinReadSlots ?? 0)
            guard slots >= 0 else { throw CommandFailure("--read-slots must not be negative") }
            gateway.twinReadSlots = slots == 0 ? nil : slots
            let writeSlots = try Environment.int(
                self.writeSlots, "TWINS_WRITE_SLOTS", default: gateway.twinWriteSlots ?? 0)
            guard writeSlots >= 0 else { throw CommandFailure("--write-slots must not be negative") }
            gateway.twinWriteSlots = writeSlots == 0 ? nil : writeSlots
            gateway.auth = try authConfiguration(host: gateway.host)
            gateway.maxEventRoutes = try Environment.int(
                maxEventRoutes, "TWINS_MAX_EVENT_ROUTES", default: EventRoute.defaultLimit)
            guard gateway.maxEventRoutes >= 0 else { throw CommandFailure("--max-event-routes must not be negative") }
            gateway.instanceHost = Environment.string(
                instanceHost, "TWINS_INSTANCE_HOST", default: ChangeNotifications.defaultSource)
            let ttl = try Environment.int(eventTTL, "TWINS_EVENT_TTL", default: 24 * 3600)
            guard ttl > 0 else { throw CommandFailure("--event-ttl must be positive") }
            gateway.eventDelivery.timeToLive = .seconds(ttl)
            let lease = try Environment.int(eventLease, "TWINS_EVENT_LEASE", default: 15)
            guard lease >= 3 else { throw CommandFailure("--event-lease must be at least 3 seconds") }
            gateway.eventDelivery.leaseDuration = .seconds(lease)
            let maxRetryDelay = try Environment.int(eventMaxRetryDelay, "TWINS_EVENT_MAX_RETRY_DELAY", default: 300)
            guard maxRetryDelay >= 1 else { throw CommandFailure("--event-max-retry-delay must be at least 1 second") }
            gateway.eventDelivery.maxRetryDelay = .seconds(maxRetryDelay)
            if let directory = Environment.optional(importDir, "TWINS_IMPORT_DIR") {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory),
                    isDirectory.boolValue
                else { throw CommandFailure("--import-dir \(directory) is not a directory") }
                gateway.jobs.inputs = JobInputPolicy(importDirectory: directory)
            }
            let jobLease = try Environment.int(jobLease, "TWINS_JOB_LEASE", default: 15)
            guard jobLease >= 3 else { throw CommandFailure("--job-lease must be at least 3 seconds") }
            gateway.jobs.leaseDuration = .seconds(jobLease)
            if let file = Environment.optional(endpoints, "TWINS_ENDPOINTS") {
                gateway.endpoints = try Self.endpoints(file)
            }
            let timeout = try Environment.int(queryTimeout, "TWINS_QUERY_TIMEOUT", default: 60)
            guard timeout > 0 else { throw CommandFailure("--query-timeout must be positive") }
            if let files = try tlsFiles() {
                do {
                    gateway.tls = try ServerTLS.configuration(
                        certificateChainFile: files.certificate, privateKeyFile: files.key)
                } catch let error as ServerTLSError {
                    throw CommandFailure(error.description)
                }
            }
            let migrate = !Environment.bool(noMigrate, "TWINS_NO_MIGRATE")
            try await DirectConnection.with(url, logger: logger) { connection in
                if migrate {
                    try await MigrationRunner(logger: logger).migrate(on: connection)
                }
            }
            let poolSize = try Environment.int(databasePoolSize, "TWINS_DATABASE_POOL_SIZE", default: 32)
            guard poolSize > 0 else { throw CommandFailure("--database-pool-size must be positive") }
            // A pool without keep-alive queries (PostgresNIO arms a keep-alive timer, a task and a
            // Dispatch timer, every time such a connection goes back to the pool: after every
            // request); a connection the server closes is still noticed by its socket.
            //
            // No minimum: with one, PostgresNIO 1.33.2 stops the process on a precondition
            // (`createNewDemandConnectionIfPossible`) when a request comes while fewer connections
            // than the minimum are open, which is what a PostgreSQL restart leaves. A fixed pool of
            // 32 served GET twin about 30% faster in scripts/bench-api.sh (no idle timer per
            // release), but surviving a database restart comes first; connections above the
            // minimum are kept while idle for up to 10 minutes.
            var poolConfiguration = url.clientConfiguration()
            poolConfiguration.options.maximumConnections = poolSize
            poolConfiguration.options.connectionIdleTimeout = .seconds(600)
            poolConfiguration.options.keepAliveBehavior = nil
            // PostgreSQL cancels a statement that runs longer; the query route answers TimeoutError.
            // The application name tells this process's connections apart in pg_stat_activity (the
            // pool's metrics are read there).
            let applicationName = DatabasePoolMetrics.applicationName("gateway")
            poolConfiguration.options.additionalStartupParameters = [
                ("statement_timeout", "\(timeout)s"), ("application_name", applicationName),
            ]
            gateway.databasePool = DatabasePoolIdentity(applicationName: applicationName, maximumConnections: poolSize)
            // The coalesced twin statements on connections of their own (under the same name and
            // timeout): the pool's lease costs more than the statement (docs/performance.md).
            gateway.twinConnections = try DedicatedConnections(
                url: url, startupParameters: poolConfiguration.options.additionalStartupParameters,
                logger: poolLogger(logger))
            let client = PostgresClient(configuration: poolConfiguration, backgroundLogger: poolLogger(logger))
            let observability = try observe.observability()
            let app = buildApplication(
                configuration: gateway, database: client, databaseURL: url, observability: observability, logger: logger
            ) { address in
                // Unbuffered, so that scripts and terminals see the URL at once.
                FileHandle.standardOutput.write(Data("twins: serving at \(address) (database \(url))\n".utf8))
            }
            do {
                try await observe.run(
                    app, observability: observability, host: gateway.host, tracing: tracing, logger: logger)
                await gateway.twinConnections?.close()
            } catch let error as MigrationError {
                await gateway.twinConnections?.close()
                throw error
            } catch {
                await gateway.twinConnections?.close()
                throw CommandFailure(startFailure(error, url: url, gateway: gateway))
            }
        }
    }

    /// `--auth` and its companions.
    private func authConfiguration(host: String) throws -> AuthConfiguration {
        let withIssuer = Environment.bool(devIssuer, "TWINS_DEV_ISSUER")
        let modeText = Environment.string(auth, "TWINS_AUTH", default: withIssuer ? "jwt" : "none")
        guard let mode = AuthConfiguration.Mode(rawValue: modeText) else {
            throw CommandFailure("--auth must be none or jwt, not '\(modeText)'")
        }
        do {
            switch mode {
            case .none:
                if withIssuer { throw CommandFailure("--dev-issuer needs --auth jwt") }
                let loopback = ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
                if !loopback && !insecureNoAuth {
                    throw CommandFailure(
                        "--auth none on \(host) would let anyone who reaches the port read and write; use --auth jwt, listen on 127.0.0.1, or add --insecure-no-auth"
                    )
                }
                return .none
            case .jwt:
                let trusted = issuers.isEmpty ? Environment.list("TWINS_ISSUER") : issuers
                var configuration: AuthConfiguration
                if let file = Environment.optional(jwksFile, "TWINS_JWKS_FILE") {
                    guard !trusted.isEmpty else {
                        throw CommandFailure("--jwks-file needs the --issuer whose tokens it verifies")
                    }
                    configuration = try AuthConfiguration.jwt(issuers: trusted, keyFile: file)
                } else if !trusted.isEmpty {
                    // Keys from each issuer's OpenID configuration, fetched over libcurl.
                    configuration = AuthConfiguration.jwt(issuers: trusted, fetch: HTTPFetch.get)
                } else if withIssuer {
                    configuration = AuthConfiguration(mode: .jwt, issuers: [])
                } else {
                    throw CommandFailure("--auth jwt needs an --issuer (with or without --jwks-file) or --dev-issuer")
                }
                if let file = Environment.optional(roleAssignments, "TWINS_ROLE_ASSIGNMENTS") {
                    configuration.roleAssignments = try DataRole.assignments(file: file)
                }
                if withIssuer {
                    let clientTexts = devClients.isEmpty ? Environment.list("TWINS_DEV_CLIENTS") : devClients
                    guard !clientTexts.isEmpty else {
                        throw CommandFailure("--dev-issuer needs at least one --dev-client ID:SECRET[:owner|reader]")
                    }
                    let key = try Environment.optional(devIssuerKey, "TWINS_DEV_ISSUER_KEY").map(
                        DevelopmentIssuer.key(file:))
                    configuration.developmentIssuer = DevelopmentIssuer(
                        clients: try clientTexts.map(DevelopmentIssuer.Client.init(argument:)), key: key)
                }
                return configuration
            }
        } catch let error as AuthConfigurationError {
            throw CommandFailure(error.description)
        }
    }

    /// The endpoints of `--endpoints FILE`.
    static func endpoints(_ file: String) throws -> [EventEndpoint] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("--endpoints: cannot read \(file)")
        }
        do {
            return try EventEndpoint.list(parsing: String(decoding: data, as: UTF8.self))
        } catch {
            throw CommandFailure("--endpoints \(file): \(error)")
        }
    }

    /// The files of `--tls-cert`/`--tls-key` (or their variables): both or neither.
    private func tlsFiles() throws -> (certificate: String, key: String)? {
        let certificate = Environment.optional(tlsCert, "TWINS_TLS_CERT")
        let key = Environment.optional(tlsKey, "TWINS_TLS_KEY")
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw CommandFailure("--tls-cert (TWINS_TLS_CERT) needs --tls-key (TWINS_TLS_KEY) as well")
        case (nil, .some):
            throw CommandFailure("--tls-key (TWINS_TLS_KEY) needs --tls-cert (TWINS_TLS_CERT) as well")
        case (let certificate?, let key?):
            return (certificate, key)
        }
    }

    private func startFailure(_ error: any Error, url: DatabaseURL, gateway: GatewayConfiguration) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "cannot listen on \(gateway.host):\(gateway.port): address already in use"
        }
        if error is PSQLError { return databaseErrorMessage(error, url: url) }
        if text.contains("bind") || text.contains("Cannot assign requested address") {
            return "cannot listen on \(gateway.host):\(gateway.port): \(text)"
        }
        return databaseErrorMessage(error, url: url)
    }
}
