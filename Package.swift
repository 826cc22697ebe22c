// swift-tools-version:6.1
import PackageDescription

// Three layers (docs/ARCHITECTURE.md draws them): foundation modules with one job each, domain
// modules that stand on them, and the executables. A module imports only what it declares here;
// the test command builds with `--explicit-target-dependency-import-check error`, so an
// undeclared import fails the build, and scripts/check-layers.sh keeps the pure modules pure.

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let hummingbirdCore = Target.Dependency.product(name: "HummingbirdCore", package: "hummingbird")
let hummingbirdTLS = Target.Dependency.product(name: "HummingbirdTLS", package: "hummingbird")
let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")
let postgresNIO = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
// RS256 (Azure AD's token signatures): RSA public keys and PKCS #1 v1.5.
let cryptoExtras = Target.Dependency.product(name: "CryptoExtras", package: "swift-crypto")
let x509 = Target.Dependency.product(name: "X509", package: "swift-certificates")
let asn1 = Target.Dependency.product(name: "SwiftASN1", package: "swift-asn1")
// Metrics through swift-metrics' API, kept and exposed in Prometheus' text format.
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
// Spans through swift-distributed-tracing's API (Hummingbird already speaks it); exported by
// swift-otel over OTLP/HTTP only (its gRPC exporter would add grpc-swift to every build).
let tracing = Target.Dependency.product(name: "Tracing", package: "swift-distributed-tracing")
let instrumentation = Target.Dependency.product(name: "Instrumentation", package: "swift-distributed-tracing")
let otel = Target.Dependency.product(name: "OTel", package: "swift-otel")

// MARK: Foundation layer: shared infrastructure, no domain knowledge.
let foundationTargets: [Target] = [
    // ADT's wire vocabulary: JSON, JSON Patch and Pointer, timestamps, base64url, constant-time
    // comparison, the error-code catalogue with its HTTP statuses. Pure Swift, no Foundation.
    .target(name: "ADTWire"),
    // PostgreSQL plumbing: URLs, direct connections, readiness, error messages, transactions,
    // and the schema migrations (migrations/*.sql, embedded at build time).
    .target(
        name: "PostgresSupport",
        dependencies: ["Observability", postgresNIO, nioSSL, logging, tracing, instrumentation],
        plugins: ["EmbedMigrations"]
    ),
    // What operators see: metrics kept for Prometheus, the process's tracing switch and trace
    // contexts, JSON log lines with trace ids.
    .target(name: "Observability", dependencies: ["ADTWire", logging, metrics, prometheus, tracing, instrumentation]),
    // libcurl (libcurl4-openssl-dev): every outgoing HTTP call. Its variadic setopt/getinfo
    // functions do not import into Swift, hence the small C shims.
    .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    .target(name: "CCurlShims", dependencies: ["CCurl"]),
    // libmosquitto (libmosquitto-dev): the MQTT client of the `mqtt` event endpoint.
    .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
    // Plain HTTP requests on one libcurl multi handle: the transport of the ADT client, the
    // emulators' webhooks and the device simulator.
    .target(
        name: "HTTPTransport",
        dependencies: ["ADTWire", "CCurl", "CCurlShims", "Observability", logging, tracing, instrumentation]
    ),
    // Serving with Hummingbird: TLS files checked before start, HTTP/1.1 or HTTP/1.1 over TLS,
    // the URL the server listens on.
    .target(
        name: "HTTPServerSetup",
        dependencies: [
            "Observability", hummingbird, hummingbirdCore, hummingbirdTLS, httpTypes, nioCore, nioSSL, x509, logging,
        ]
    ),
]

// MARK: Domain layer: what the service is about.
let domainTargets: [Target] = [
    // DTDL v2/v3: parsing, the resolved model graph, validation of instances. Pure, no I/O;
    // `Double.rounded()` needs libm linked explicitly without Foundation.
    .target(
        name: "DTDL",
        dependencies: ["ADTWire"],
        linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]
    ),
    // The ADT query language: text to AST to parameterised SQL. Pure Swift, no I/O.
    .target(name: "TwinQuery"),
    // Event routes as values: routes, endpoint definitions, and the filter language (parsed once
    // per route, evaluated per notification). Pure Swift, no I/O.
    .target(name: "EventRoutes", dependencies: ["ADTWire"]),
    // Models, twins, relationships, queries and the outbox on PostgreSQL.
    .target(
        name: "TwinStore",
        dependencies: [
            "ADTWire", "DTDL", "TwinQuery", "EventRoutes", "PostgresSupport", "Observability", postgresNIO, logging,
            serviceLifecycle,
        ]
    ),
    // The ADT data-plane REST API on Hummingbird: routes, api-version, auth, ADT's error shape.
    .target(
        name: "TwinGateway",
        dependencies: [
            "ADTWire", "DTDL", "TwinQuery", "EventRoutes", "EventDelivery", "BulkJobs", "TwinStore",
            "PostgresSupport", "HTTPServerSetup", hummingbird, hummingbirdCore, httpTypes, nioSSL, postgresNIO, x509,
            asn1, crypto,
            cryptoExtras, serviceLifecycle, logging, metrics, "Observability",
        ]
    ),
    // The ADT data plane as typed async calls over HTTPTransport; Azure AD credentials.
    .target(name: "DigitalTwinsClient", dependencies: ["ADTWire", "HTTPTransport", logging]),
    // The device lifecycle functions (allocate, retire, ingest) and their contracts (DPS,
    // IoT Hub, Event Grid, SAS); they reach ADT only through DigitalTwinsClient.
    .target(
        name: "DeviceLifecycle",
        dependencies: ["ADTWire", "DTDL", "DigitalTwinsClient", "HTTPTransport", crypto, logging]
    ),
    // Event delivery: the outbox routed to the endpoints that event routes name (webhooks, Event
    // Grid, Event Hubs, Service Bus, MQTT), at least once, in order per twin, shared by every gateway
    // process through partition leases; dead letters and the delivery status.
    .target(
        name: "EventDelivery",
        dependencies: [
            "ADTWire", "EventRoutes", "PostgresSupport", "HTTPTransport", "DigitalTwinsClient", "TwinBridge",
            "CMosquitto", "Observability",
            postgresNIO, serviceLifecycle, crypto, logging, tracing, instrumentation,
        ]
    ),
    // Bulk jobs (ADT's /jobs API): imports of an NDJSON file (read and logged over libcurl or
    // from a local directory) and deletions of the whole graph, run by any gateway process.
    .target(
        name: "BulkJobs",
        dependencies: [
            "ADTWire", "TwinStore", "PostgresSupport", "HTTPTransport", postgresNIO, serviceLifecycle, logging,
        ]
    ),
    // `twins migrate`: export, import, copy and verify a graph between any two ADT-compatible
    // instances through DigitalTwinsClient, resumable.
    .target(name: "TwinMigration", dependencies: ["ADTWire", "DigitalTwinsClient"]),
    // Bridge mode: one instance's change notifications applied to another through
    // DigitalTwinsClient, property by property with the last writer winning; the code of both
    // directions (the `digitaltwins` event endpoint and the ApplyDigitalTwinsEvents function).
    .target(name: "TwinBridge", dependencies: ["ADTWire", "DigitalTwinsClient", "TwinMigration", logging]),
    // `twins functions`: the three functions over HTTP, with Azure Functions' function keys.
    .target(
        name: "FunctionsHost",
        dependencies: [
            "ADTWire", "DTDL", "DeviceLifecycle", "TwinBridge", "HTTPServerSetup", "Observability", hummingbird,
            hummingbirdCore,
            httpTypes, nioCore, logging,
        ]
    ),
    // `twins emulate`: DPS and IoT Hub emulators with their state in PostgreSQL.
    .target(
        name: "DeviceEmulators",
        dependencies: [
            "ADTWire", "DTDL", "DeviceLifecycle", "HTTPTransport", "PostgresSupport", "HTTPServerSetup",
            "Observability",
            hummingbird, httpTypes, postgresNIO, serviceLifecycle, crypto, logging,
        ]
    ),
]

// MARK: Executables and build tools.
let executableTargets: [Target] = [
    // The one command-line tool: serve, functions, emulate, device, and the client verbs.
    .executableTarget(
        name: "twins",
        dependencies: [
            "ADTWire", "DTDL", "EventRoutes", "BulkJobs", "PostgresSupport", "HTTPServerSetup", "TwinStore",
            "TwinGateway",
            "DigitalTwinsClient", "TwinMigration", "TwinBridge", "FunctionsHost", "DeviceLifecycle", "DeviceEmulators",
            argumentParser, hummingbird, hummingbirdCore, hummingbirdTLS, postgresNIO, serviceLifecycle, logging,
            "Observability", tracing, instrumentation, otel,
        ]
    ),
    // Benchmarks live in their own executable so that the test command stays lean.
    .executableTarget(
        name: "twins-bench",
        dependencies: ["ADTWire", "DTDL", "DigitalTwinsClient", "TwinStore", "PostgresSupport", postgresNIO, logging]
    ),
    // Build-time tool: turns migrations/*.sql into Swift source, so the binary carries its schema.
    .executableTarget(name: "MigrationEmbedder"),
    .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["MigrationEmbedder"]),
]

// MARK: Tests: one target per module, and two test-only support targets.
let testTargets: [Target] = [
    // A private PostgreSQL database per test.
    .target(
        name: "TwinTestSupport",
        dependencies: ["PostgresSupport", postgresNIO, logging],
        path: "Tests/TwinTestSupport"
    ),
    // Gateways on a fresh database: in process (router tests) or listening on loopback.
    .target(
        name: "GatewayTestSupport",
        dependencies: [
            "ADTWire", "EventRoutes", "TwinGateway", "TwinTestSupport", "PostgresSupport", "HTTPServerSetup",
            "HTTPTransport", hummingbird, hummingbirdTesting, httpTypes, nioCore, postgresNIO, logging,
        ],
        path: "Tests/GatewayTestSupport"
    ),
    // The device flow's reference request bodies, shared by two test targets.
    .target(name: "DeviceFlowFixtures", dependencies: ["ADTWire"], path: "Tests/DeviceFlowFixtures"),
    .testTarget(name: "ADTWireTests", dependencies: ["ADTWire"]),
    .testTarget(name: "DTDLTests", dependencies: ["ADTWire", "DTDL"]),
    .testTarget(name: "TwinQueryTests", dependencies: ["TwinQuery"]),
    .testTarget(name: "EventRoutesTests", dependencies: ["ADTWire", "EventRoutes"]),
    .testTarget(name: "ObservabilityTests", dependencies: ["ADTWire", "Observability", logging]),
    .testTarget(
        name: "PostgresSupportTests",
        dependencies: ["PostgresSupport", "TwinTestSupport", postgresNIO, logging]
    ),
    .testTarget(
        name: "BulkJobsTests",
        dependencies: [
            "ADTWire", "BulkJobs", "TwinGateway", "TwinStore", "PostgresSupport", "TwinTestSupport",
            "GatewayTestSupport", "DigitalTwinsClient", hummingbird, hummingbirdTesting, httpTypes, postgresNIO,
            logging,
        ]
    ),
    .testTarget(
        name: "TwinMigrationTests",
        dependencies: [
            "ADTWire", "TwinMigration", "DigitalTwinsClient", "HTTPTransport", "TwinGateway", "TwinStore", "BulkJobs",
            "PostgresSupport", "TwinTestSupport", "GatewayTestSupport", hummingbird, hummingbirdTesting, httpTypes,
            postgresNIO, logging,
        ]
    ),
    .testTarget(
        name: "TwinBridgeTests",
        dependencies: [
            "ADTWire", "TwinBridge", "TwinMigration", "DigitalTwinsClient", "HTTPTransport", "EventDelivery",
            "EventRoutes", "TwinGateway", "FunctionsHost", "DeviceLifecycle", "PostgresSupport", "TwinTestSupport",
            "GatewayTestSupport", hummingbird, hummingbirdTesting, postgresNIO, logging,
        ]
    ),
    .testTarget(
        name: "EventDeliveryTests",
        dependencies: [
            "ADTWire", "EventDelivery", "EventRoutes", "TwinGateway", "PostgresSupport", "TwinTestSupport",
            "GatewayTestSupport", "CMosquitto", "DigitalTwinsClient", hummingbird, hummingbirdTesting, httpTypes,
            postgresNIO, crypto,
            logging,
        ]
    ),
    .testTarget(
        name: "TwinStoreTests",
        dependencies: [
            "ADTWire", "TwinStore", "PostgresSupport", "TwinTestSupport", postgresNIO, serviceLifecycle, logging,
        ]
    ),
    .testTarget(
        name: "TwinGatewayTests",
        dependencies: [
            "ADTWire", "DTDL", "EventRoutes", "TwinGateway", "TwinStore", "PostgresSupport", "HTTPServerSetup",
            "HTTPTransport", "TwinTestSupport",
            "GatewayTestSupport", hummingbird, hummingbirdTesting, httpTypes, nioCore, nioSSL, postgresNIO, x509,
            asn1, crypto, cryptoExtras, logging,
        ]
    ),
    .testTarget(
        name: "DigitalTwinsClientTests",
        dependencies: ["ADTWire", "DigitalTwinsClient", "HTTPTransport", logging]
    ),
    // The client against a real gateway (HTTPS, JWT with the development issuer).
    .testTarget(
        name: "ClientGatewayTests",
        dependencies: [
            "ADTWire", "DigitalTwinsClient", "EventRoutes", "HTTPTransport", "TwinGateway", "GatewayTestSupport",
            "TwinTestSupport", hummingbird, hummingbirdTesting, postgresNIO, logging,
        ]
    ),
    .testTarget(
        name: "DeviceLifecycleTests",
        dependencies: ["ADTWire", "DTDL", "DeviceLifecycle", "DigitalTwinsClient", "DeviceFlowFixtures", logging]
    ),
    .testTarget(
        name: "FunctionsHostTests",
        dependencies: [
            "ADTWire", "DTDL", "FunctionsHost", "DeviceLifecycle", "DigitalTwinsClient", "DeviceFlowFixtures",
            "GatewayTestSupport", hummingbird, hummingbirdTesting, httpTypes, logging,
        ]
    ),
    .testTarget(
        name: "DeviceEmulatorsTests",
        dependencies: [
            "ADTWire", "DTDL", "DeviceEmulators", "DeviceLifecycle", "DigitalTwinsClient", "HTTPTransport",
            "PostgresSupport", "TwinTestSupport", "GatewayTestSupport", hummingbird, hummingbirdTesting, httpTypes,
            postgresNIO, logging,
        ]
    ),
]

let package = Package(
    name: "digital-twins-gateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "twins", targets: ["twins"]),
        .executable(name: "twins-bench", targets: ["twins-bench"]),
        .library(name: "ADTWire", targets: ["ADTWire"]),
        .library(name: "DTDL", targets: ["DTDL"]),
        .library(name: "DigitalTwinsClient", targets: ["DigitalTwinsClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // `twins dev-cert`: X.509 building and P-256 keys. Crypto's range is the one postgres-nio and
        // swift-certificates already accept, so no second copy is resolved.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.3.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: foundationTargets + domainTargets + executableTargets + testTargets,
    swiftLanguageModes: [.v6]
)
