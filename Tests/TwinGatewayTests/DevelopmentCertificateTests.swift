import Foundation
import HTTPServerSetup
import SwiftASN1
import Testing
import TwinGateway
import X509

/// `twins dev-cert`: the certificate's content, the files it writes, and loading them back.
@Suite struct DevelopmentCertificateTests {
    @Test func theCertificateNamesLoopbackAndIsItsOwnAuthority() throws {
        let now = Date()
        let generated = try DevelopmentCertificate.generate(days: 30, now: now)
        let certificate = try Certificate(pemEncoded: generated.certificatePEM)

        #expect(certificate.subject.description == "CN=localhost")
        #expect(certificate.issuer == certificate.subject)
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(
            names.contains(
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))))
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try certificate.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(try certificate.extensions.keyUsage?.digitalSignature == true)
        #expect(try certificate.extensions.keyUsage?.keyCertSign == true)
        #expect(try certificate.extensions.subjectKeyIdentifier != nil)

        // Valid from a little before now until `days` later (whole seconds in the certificate).
        #expect(certificate.notValidBefore <= now)
        #expect(abs(certificate.notValidAfter.timeIntervalSince(now) - 30 * 86_400) < 2)

        // The key is P-256, belongs to the certificate, and signed it.
        let key = try Certificate.PrivateKey(pemEncoded: generated.privateKeyPEM)
        #expect(key.publicKey == certificate.publicKey)
        #expect(certificate.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(certificate.publicKey.subjectPublicKeyInfoBytes.count == 65)  // an uncompressed P-256 point
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        #expect(generated.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
    }

    @Test func aValidityOutsideTheLimitsIsRefused() {
        #expect(throws: DevelopmentCertificateError.self) { try DevelopmentCertificate.generate(days: 0) }
        #expect(throws: DevelopmentCertificateError.self) {
            try DevelopmentCertificate.generate(days: DevelopmentCertificate.maximumDays + 1)
        }
    }

    @Test func writesBothFilesWithAPrivateKeyAndRefusesToOverwrite() throws {
        try withTemporaryDirectory { directory in
            let out = directory + "/nested/certs"
            let files = try DevelopmentCertificate.generate().write(to: out)
            #expect(files == DevelopmentCertificate.files(in: out))
            #expect(try permissions(files.privateKey) == 0o600)
            #expect(try permissions(files.certificate) == 0o644)
            let firstCertificate = try String(contentsOfFile: files.certificate, encoding: .utf8)

            let error = #expect(throws: DevelopmentCertificateError.self) {
                try DevelopmentCertificate.generate().write(to: out)
            }
            #expect(error?.description.contains("--force") == true)
            #expect(try String(contentsOfFile: files.certificate, encoding: .utf8) == firstCertificate)

            // With overwrite, both are replaced and the key is narrowed back to 0600.
            #expect(chmod(files.privateKey, 0o644) == 0)
            try DevelopmentCertificate.generate().write(to: out, overwrite: true)
            #expect(try String(contentsOfFile: files.certificate, encoding: .utf8) != firstCertificate)
            #expect(try permissions(files.privateKey) == 0o600)
        }
    }

    @Test func anExistingKeyAloneAlsoBlocksWriting() throws {
        try withTemporaryDirectory { directory in
            let files = DevelopmentCertificate.files(in: directory)
            try "keep me".write(toFile: files.privateKey, atomically: false, encoding: .utf8)
            #expect(throws: DevelopmentCertificateError.self) {
                try DevelopmentCertificate.generate().write(to: directory)
            }
            #expect(!FileManager.default.fileExists(atPath: files.certificate))
            #expect(try String(contentsOfFile: files.privateKey, encoding: .utf8) == "keep me")
        }
    }

    @Test func theWrittenFilesLoadAsAServerConfiguration() throws {
        try withTemporaryDirectory { directory in
            let files = try DevelopmentCertificate.generate().write(to: directory)
            let configuration = try ServerTLS.configuration(
                certificateChainFile: files.certificate, privateKeyFile: files.privateKey)
            #expect(configuration.certificateChain.count == 1)
        }
    }

    @Test func badTLSFilesGiveOneLineNamingTheFile() throws {
        try withTemporaryDirectory { directory in
            let one = try DevelopmentCertificate.generate().write(to: directory + "/one")
            let two = try DevelopmentCertificate.generate().write(to: directory + "/two")
            let missing = directory + "/missing.pem"
            let notPEM = directory + "/not.pem"
            try "hello".write(toFile: notPEM, atomically: false, encoding: .utf8)

            func message(_ certificate: String, _ key: String) -> String {
                do {
                    _ = try ServerTLS.configuration(certificateChainFile: certificate, privateKeyFile: key)
                    return "no error"
                } catch {
                    return (error as? ServerTLSError)?.description ?? "unexpected \(error)"
                }
            }
            #expect(message(missing, one.privateKey) == "TLS certificate file \(missing) does not exist")
            #expect(message(one.certificate, missing) == "TLS private key file \(missing) does not exist")
            #expect(message(notPEM, one.privateKey).hasPrefix("\(notPEM) holds no PEM certificate"))
            #expect(message(one.certificate, notPEM).hasPrefix("\(notPEM) holds no PEM private key"))
            // A certificate file given as the key, and a key given as the certificate.
            #expect(message(one.privateKey, one.certificate).hasPrefix("\(one.privateKey) holds no PEM certificate"))
            #expect(message(one.certificate, one.certificate).hasPrefix("\(one.certificate) holds no PEM private key"))
            #expect(message(directory, one.privateKey) == "TLS certificate file \(directory) is a directory")
            #expect(
                message(one.certificate, two.privateKey)
                    == "the private key in \(two.privateKey) does not belong to the certificate in \(one.certificate)")
            for text in [message(missing, one.privateKey), message(one.certificate, two.privateKey)] {
                #expect(!text.contains("\n"))
            }
        }
    }
}

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("twins-tls-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("twins-tls-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The permission bits of a file.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
