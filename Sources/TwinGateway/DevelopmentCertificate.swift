import Crypto
import Foundation
import SwiftASN1
import X509

/// A self-signed TLS certificate for running the gateway on this machine (`twins dev-cert`).
///
/// Azure SDKs refuse to send bearer tokens over plain HTTP, so even a local gateway needs HTTPS.
/// The certificate names `localhost`, `127.0.0.1` and `::1`, allows server authentication and is
/// its own certificate authority (`CA:TRUE`), so that clients can trust exactly this file
/// (`curl --cacert cert.pem`, Python's `connection_verify="cert.pem"`) without touching the
/// system's trust store.
public struct DevelopmentCertificate: Sendable {
    /// The DNS name the certificate is issued for (also its common name).
    public static let dnsNames = ["localhost"]
    /// The IP addresses the certificate is issued for: IPv4 and IPv6 loopback.
    public static let ipAddresses = ["127.0.0.1", "::1"]
    /// Validity when none is given, in days.
    public static let defaultDays = 365
    /// The longest validity accepted, in days: ten years is plenty for a development certificate
    /// and keeps a typo (`--days 36500`) from producing one that outlives its purpose.
    public static let maximumDays = 3650

    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    public let certificatePEM: String
    /// The private key, PEM in PKCS #8 (`-----BEGIN PRIVATE KEY-----`), which OpenSSL, BoringSSL
    /// and NIOSSL all read.
    public let privateKeyPEM: String
    /// The first moment the certificate is valid.
    public let notValidBefore: Date
    /// The last moment the certificate is valid.
    public let notValidAfter: Date

    /// Makes a new key pair and a self-signed certificate valid for `days` days from `now`.
    ///
    /// The certificate is back-dated by one hour so that a client whose clock is slightly behind
    /// still accepts it.
    public static func generate(days: Int = defaultDays, now: Date = Date()) throws -> DevelopmentCertificate {
        guard (1...maximumDays).contains(days) else {
            throw DevelopmentCertificateError("the validity must be between 1 and \(maximumDays) days, not \(days)")
        }
        // P-256 ECDSA: small, fast, and accepted by every TLS stack an Azure SDK runs on.
        let swiftCryptoKey = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(swiftCryptoKey)
        let name = try DistinguishedName { CommonName(dnsNames[0]) }
        let keyIdentifier = ArraySlice(Insecure.SHA1.hash(data: swiftCryptoKey.publicKey.x963Representation))
        var alternativeNames = dnsNames.map { GeneralName.dnsName($0) }
        for address in ipAddresses {
            alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(try ipAddressBytes(address)))))
        }
        // OpenSSL 3 in strict mode (Python 3.13's default context) wants a CA certificate to carry a
        // critical basicConstraints, a keyUsage with keyCertSign, and a subject key identifier.
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(alternativeNames)
            SubjectKeyIdentifier(keyIdentifier: keyIdentifier)
            AuthorityKeyIdentifier(keyIdentifier: keyIdentifier)
        }
        let notValidBefore = now.addingTimeInterval(-3600)
        let notValidAfter = now.addingTimeInterval(TimeInterval(days) * 86_400)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key)
        return DevelopmentCertificate(
            certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
            privateKeyPEM: swiftCryptoKey.pemRepresentation + "\n",
            notValidBefore: notValidBefore,
            notValidAfter: notValidAfter)
    }

    /// Where ``write(to:overwrite:)`` put the two files.
    public struct Files: Sendable, Equatable {
        /// The certificate: `cert.pem` in the directory.
        public let certificate: String
        /// The private key: `key.pem` in the directory, readable by its owner only.
        public let privateKey: String
    }

    /// The paths of `cert.pem` and `key.pem` in `directory`.
    public static func files(in directory: String) -> Files {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        return Files(
            certificate: base.appendingPathComponent("cert.pem").path,
            privateKey: base.appendingPathComponent("key.pem").path)
    }

    /// Writes `cert.pem` and `key.pem` into `directory`, creating it if needed.
    ///
    /// The key file is created with mode 0600. Without `overwrite`, nothing is written when
    /// either file already exists.
    @discardableResult
    public func write(to directory: String, overwrite: Bool = false) throws -> Files {
        let files = Self.files(in: directory)
        if !overwrite {
            let existing = [files.certificate, files.privateKey].filter { FileManager.default.fileExists(atPath: $0) }
            if !existing.isEmpty {
                throw DevelopmentCertificateError(
                    "\(existing.joined(separator: " and ")) already exist\(existing.count == 1 ? "s" : ""); use --force to replace"
                )
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DevelopmentCertificateError("cannot create the directory \(directory): \(Self.reason(error))")
        }
        // The key first, so that a failure never leaves a certificate without its key.
        try Self.writeFile(files.privateKey, privateKeyPEM, mode: 0o600)
        try Self.writeFile(files.certificate, certificatePEM, mode: 0o644)
        return files
    }

    /// Writes through `open(2)` so the file never exists with wider permissions than `mode`, even
    /// for a moment; an existing file is truncated and narrowed to `mode` as well.
    private static func writeFile(_ path: String, _ text: String, mode: mode_t) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw DevelopmentCertificateError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else {
            throw DevelopmentCertificateError(
                "cannot set the permissions of \(path): \(String(cString: strerror(errno)))")
        }
        do {
            try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(contentsOf: Data(text.utf8))
        } catch {
            throw DevelopmentCertificateError("cannot write \(path): \(reason(error))")
        }
    }

    /// The network-order bytes of an IPv4 or IPv6 address, as a subjectAltName IP entry holds them.
    static func ipAddressBytes(_ text: String) throws -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        throw DevelopmentCertificateError("'\(text)' is not an IP address")
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? error.localizedDescription
    }
}

/// Why a development certificate could not be made or written: one line for the terminal.
public struct DevelopmentCertificateError: Error, CustomStringConvertible, Sendable {
    /// The message, naming the file or value at fault.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
