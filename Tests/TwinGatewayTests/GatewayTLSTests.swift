import Foundation
import HTTPServerSetup
import Hummingbird
import HummingbirdTesting
import Logging
import NIOSSL
import PostgresNIO
import Testing
import TwinGateway

/// The gateway over HTTPS with a development certificate, on a loopback port.
///
/// `/healthz` does not touch the database, so the client points at a closed loopback port. A time
/// limit turns a server that never finishes shutting down into a failure.
@Suite(.timeLimit(.minutes(1))) struct GatewayTLSTests {
    static let logger: Logger = {
        var logger = Logger(label: "gateway-tls-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func unusedDatabase() -> PostgresClient {
        PostgresClient(
            configuration: .init(
                host: "127.0.0.1", port: 9, username: "u", password: nil, database: nil, tls: .disable),
            backgroundLogger: logger)
    }

    /// Runs a TLS gateway with a fresh development certificate and gives `body` the port and the
    /// certificate file.
    @discardableResult
    static func withTLSGateway<Value: Sendable>(
        _ body: @escaping @Sendable (_ port: Int, _ certificateFile: String) async throws -> Value
    ) async throws -> Value {
        try await withTemporaryDirectory { directory in
            let files = try DevelopmentCertificate.generate().write(to: directory)
            let tls = try ServerTLS.configuration(
                certificateChainFile: files.certificate, privateKeyFile: files.privateKey)
            let app = buildApplication(
                configuration: .init(host: "127.0.0.1", port: 0, tls: tls), database: unusedDatabase(), logger: logger)
            // The live framework's own client speaks plain HTTP, so it is used only for the port.
            return try await app.test(.live) { client in
                try await body(try #require(client.port), files.certificate)
            }
        }
    }

    /// `GET /healthz` from a client that trusts exactly `certificateFile` and checks the name
    /// `localhost`, on 127.0.0.1.
    static func healthz(port: Int, trusting certificateFile: String) async throws -> TestClient.Response {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificateFile))
        tls.certificateVerification = .fullVerification
        return try await TestClient.withClient(
            host: "127.0.0.1", port: port,
            configuration: .init(tlsConfiguration: tls, timeout: .seconds(10), serverName: "localhost")
        ) { client in
            try await client.get("/healthz")
        }
    }

    @Test func healthzOverHTTPSVerifiesAgainstTheGeneratedCertificate() async throws {
        try await Self.withTLSGateway { port, certificateFile in
            let response = try await Self.healthz(port: port, trusting: certificateFile)
            #expect(response.status == .ok)
            #expect(response.body.map { String(buffer: $0) } == #"{"status":"ok"}"#)
        }
    }

    @Test func healthzOverHTTPSFailsAgainstAnotherCertificate() async throws {
        try await Self.withTLSGateway { port, _ in
            try await withTemporaryDirectory { directory in
                let other = try DevelopmentCertificate.generate().write(to: directory)
                // A handshake error, or the channel closed by it, depending on timing.
                await #expect(throws: (any Error).self) {
                    _ = try await Self.healthz(port: port, trusting: other.certificate)
                }
            }
        }
    }

    @Test func theServerURLSaysHTTPS() async throws {
        try await withTemporaryDirectory { directory in
            let files = try DevelopmentCertificate.generate().write(to: directory)
            let tls = try ServerTLS.configuration(
                certificateChainFile: files.certificate, privateKeyFile: files.privateKey)
            let url = URLBox()
            let app = buildApplication(
                configuration: .init(host: "127.0.0.1", port: 0, tls: tls), database: Self.unusedDatabase(),
                logger: Self.logger
            ) { address in url.set(address) }
            try await app.test(.live) { client in
                let port = try #require(client.port)
                #expect(url.value == "https://127.0.0.1:\(port)")
            }
        }
    }

    /// A client that connects and never starts the TLS handshake must not keep the server from
    /// shutting down (SIGTERM in production; the end of `app.test` here).
    @Test func aSilentConnectionDoesNotBlockShutdown() async throws {
        let silent = try await Self.withTLSGateway { port, _ in
            let silent = TestClient(host: "127.0.0.1", port: port)
            silent.connect()
            _ = try await silent.getChannel()
            return silent
        }
        try? await silent.shutdown()
    }

    /// OpenSSL's view (curl), by IP address as well as by name.
    @Test(.enabled(if: Curl.path != nil, "curl not found on PATH; skipping the curl check"))
    func curlTrustsTheCertificateByNameAndAddress() async throws {
        try await Self.withTLSGateway { port, certificateFile in
            for host in ["localhost", "127.0.0.1"] {
                let result = try await Curl.runOffPool([
                    "--silent", "--show-error", "--max-time", "10", "--cacert", certificateFile,
                    "--resolve", "localhost:\(port):127.0.0.1",
                    "--write-out", "\n%{http_code} %{http_version}", "https://\(host):\(port)/healthz",
                ])
                #expect(result.status == 0, "curl: \(result.error)")
                let lines = result.output.split(separator: "\n").map(String.init)
                #expect(lines.first == #"{"status":"ok"}"#)
                #expect(lines.last == "200 1.1")
            }
        }
    }

    @Test(.enabled(if: Curl.path != nil, "curl not found on PATH; skipping the curl check"))
    func curlRejectsTheServerWithoutTheCertificate() async throws {
        try await Self.withTLSGateway { port, _ in
            try await withTemporaryDirectory { directory in
                let other = try DevelopmentCertificate.generate().write(to: directory)
                let result = try await Curl.runOffPool([
                    "--silent", "--max-time", "10", "--cacert", other.certificate, "https://127.0.0.1:\(port)/healthz",
                ])
                #expect(result.status == 60)  // curl: peer certificate cannot be authenticated
            }
        }
    }
}

/// A value set from the server-running callback and read by the test.
final class URLBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? { lock.withLock { stored } }
    func set(_ value: String) { lock.withLock { stored = value } }
}

/// The curl binary, when there is one.
enum Curl {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/curl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// `run` on a Dispatch thread: a blocking wait on one of the few cooperative threads would
    /// starve the server that curl is talking to (its handlers run on those threads too).
    static func runOffPool(_ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(arguments) })
            }
        }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/curl")
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
