// swift-tools-version:6.1
import PackageDescription

// Layering (see docs/ARCHITECTURE.md): DTDL is pure; TwinStore persists on PostgreSQL;
// TwinGateway serves HTTP; `twins` is the single command-line entry point.
let package = Package(
    name: "digital-twins-gateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "twins", targets: ["twins"]),
        .executable(name: "twins-bench", targets: ["twins-bench"]),
        .library(name: "DTDL", targets: ["DTDL"]),
        .library(name: "DigitalTwinsClient", targets: ["DigitalTwinsClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // `twins dev-cert`: X.509 building and P-256 keys. Crypto's range is the one postgres-nio and
        // swift-certificates already accept, so no second copy is resolved.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.3.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // Pure Swift without Foundation; `Double.rounded()` needs libm linked explicitly then.
        .target(name: "DTDL", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // libcurl (libcurl4-openssl-dev): every outgoing HTTP call. Its variadic setopt/getinfo
        // functions do not import into Swift, hence the small C shims.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShims", dependencies: ["CCurl"]),
        // The ADT data plane as typed async calls, on one curl multi handle; Azure AD credentials.
        .target(
            name: "DigitalTwinsClient",
            dependencies: ["CCurl", "CCurlShims", "DTDL", .product(name: "Logging", package: "swift-log")]
        ),
        // The device lifecycle functions (allocate, retire, ingest) and their contracts (DPS,
        // IoT Hub, Event Grid, SAS); they reach ADT only through DigitalTwinsClient.
        .target(
            name: "DeviceLifecycle",
            dependencies: [
                "DTDL", "DigitalTwinsClient",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `twins functions`: the three functions over HTTP, with Azure Functions' function keys.
        .target(
            name: "FunctionsHost",
            dependencies: [
                "DeviceLifecycle", "DigitalTwinsClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `twins emulate`: DPS and IoT Hub emulators with their state in PostgreSQL.
        .target(
            name: "DeviceEmulators",
            dependencies: [
                "DeviceLifecycle", "TwinStore", "DigitalTwinsClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The ADT query language: text to AST to parameterised SQL. Pure Swift, no I/O.
        .target(name: "TwinQuery"),
        .target(
            name: "TwinStore",
            dependencies: [
                "DTDL",
                "TwinQuery",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["EmbedMigrations"]
        ),
        .target(
            name: "TwinGateway",
            dependencies: [
                "TwinStore",
                "TwinQuery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RS256 (Azure AD's token signatures): RSA public keys and PKCS #1 v1.5.
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "twins",
            dependencies: [
                "TwinGateway",
                "TwinStore",
                "DigitalTwinsClient",
                "FunctionsHost",
                "DeviceLifecycle",
                "DeviceEmulators",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Benchmarks live in their own executable so that the test command stays lean.
        .executableTarget(name: "twins-bench", dependencies: ["DTDL", "DigitalTwinsClient"]),
        // Build-time tool: turns migrations/*.sql into Swift source, so the binary carries its schema.
        .executableTarget(name: "MigrationEmbedder"),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["MigrationEmbedder"]),
        .testTarget(name: "DTDLTests", dependencies: ["DTDL"]),
        .testTarget(name: "TwinQueryTests", dependencies: ["TwinQuery"]),
        .testTarget(name: "DigitalTwinsClientTests", dependencies: ["DigitalTwinsClient", "DTDL"]),
        .testTarget(
            name: "FunctionsHostTests",
            dependencies: [
                "FunctionsHost", "DeviceLifecycle", "DTDL", "TwinTestSupport", "TwinGateway", "TwinStore", "DeviceFlowFixtures",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "DeviceEmulatorsTests",
            dependencies: [
                "DeviceEmulators", "DeviceLifecycle", "DTDL", "TwinTestSupport", "TwinGateway", "TwinStore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "DeviceLifecycleTests",
            dependencies: ["DeviceLifecycle", "DTDL", "DeviceFlowFixtures", .product(name: "Logging", package: "swift-log")]
        ),
        // Test-only: the device flow's reference request bodies, shared by two test targets.
        .target(name: "DeviceFlowFixtures", path: "Tests/DeviceFlowFixtures"),
        // The client against a real gateway (HTTPS, JWT with the development issuer).
        .testTarget(
            name: "ClientGatewayTests",
            dependencies: [
                "DigitalTwinsClient", "TwinGateway", "TwinStore", "TwinTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // Test-only helpers: a private PostgreSQL database per test.
        .target(
            name: "TwinTestSupport",
            dependencies: ["TwinStore", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/TwinTestSupport"
        ),
        .testTarget(
            name: "TwinStoreTests",
            dependencies: [
                "TwinStore", "TwinTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "TwinGatewayTests",
            dependencies: [
                "TwinGateway",
                "TwinTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
