import ArgumentParser
import Foundation
import TwinGateway

/// `twins dev-cert`: a self-signed certificate for serving HTTPS on this machine.
struct DevCert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-cert",
        abstract: "Write a self-signed development certificate for localhost, 127.0.0.1 and ::1.",
        discussion: """
            Writes DIR/cert.pem and DIR/key.pem (mode 0600): a P-256 certificate that is its own \
            certificate authority, so clients can trust exactly this file. Azure SDKs send tokens \
            over HTTPS only, which is why a local gateway needs one.

            Examples:
              twins dev-cert --out certs
              twins serve --tls-cert certs/cert.pem --tls-key certs/key.pem
              curl --cacert certs/cert.pem https://localhost:8080/healthz
            """
    )

    @Option(help: ArgumentHelp("Directory to write cert.pem and key.pem into (created if missing).", valueName: "dir"))
    var out: String

    @Option(
        help: ArgumentHelp(
            "Days the certificate is valid (1 to \(DevelopmentCertificate.maximumDays)).",
            valueName: "n"))
    var days: Int = DevelopmentCertificate.defaultDays

    @Flag(help: "Replace cert.pem and key.pem if they exist.")
    var force = false

    func run() async throws {
        try await runReportingFailure {
            let files: DevelopmentCertificate.Files
            let certificate: DevelopmentCertificate
            do {
                certificate = try DevelopmentCertificate.generate(days: days)
                files = try certificate.write(to: out, overwrite: force)
            } catch let error as DevelopmentCertificateError {
                throw CommandFailure(error.description)
            }
            let until = ISO8601DateFormatter.string(
                from: certificate.notValidAfter, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
            print("twins: wrote \(files.certificate) (certificate for localhost, 127.0.0.1, ::1; valid until \(until))")
            print("twins: wrote \(files.privateKey) (private key, mode 0600)")
            print(
                "twins: serve with --tls-cert \(files.certificate) --tls-key \(files.privateKey); trust it with "
                    + "curl --cacert \(files.certificate), Python connection_verify=\"\(files.certificate)\" "
                    + "or SSL_CERT_FILE=\(files.certificate)")
        }
    }
}
