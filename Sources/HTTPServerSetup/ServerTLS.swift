import Foundation
import NIOSSL
import X509

/// Loads the gateway's TLS certificate chain and private key from PEM files.
///
/// Everything is checked here, before the server starts, so that a wrong path, a file of the
/// wrong kind or a key that belongs to another certificate gives one line naming the file,
/// rather than a failure on the first connection.
public enum ServerTLS {
    /// A server TLS configuration from a PEM certificate chain (leaf first) and a PEM private key.
    ///
    /// - Throws: ``ServerTLSError`` naming the file at fault.
    public static func configuration(certificateChainFile: String, privateKeyFile: String) throws -> TLSConfiguration {
        let chainText = try read(certificateChainFile, what: "certificate")
        guard chainText.contains("-----BEGIN CERTIFICATE-----") else {
            throw ServerTLSError(
                "\(certificateChainFile) holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(chainText.utf8))
        } catch {
            throw ServerTLSError("\(certificateChainFile) is not a valid PEM certificate chain")
        }
        guard let leaf = chain.first else {
            throw ServerTLSError("\(certificateChainFile) holds no PEM certificate")
        }

        let keyText = try read(privateKeyFile, what: "private key")
        guard keyText.contains("PRIVATE KEY-----") else {
            throw ServerTLSError("\(privateKeyFile) holds no PEM private key (expected -----BEGIN PRIVATE KEY-----)")
        }
        if keyText.contains("ENCRYPTED") {
            throw ServerTLSError("\(privateKeyFile) is encrypted; the gateway needs an unencrypted private key")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(keyText.utf8), format: .pem)
        } catch {
            throw ServerTLSError("\(privateKeyFile) is not a valid PEM private key")
        }
        if !keyMatches(leaf: leaf, keyPEM: keyText) {
            throw ServerTLSError(
                "the private key in \(privateKeyFile) does not belong to the certificate in \(certificateChainFile)")
        }

        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key))
        // Building a context once runs BoringSSL's own checks now rather than on the first client.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerTLSError(
                "cannot use the certificate in \(certificateChainFile) with the key in \(privateKeyFile): \(error)")
        }
        return configuration
    }

    /// Whether the key's public half is the leaf certificate's public key. Keys or certificates
    /// that swift-certificates cannot parse are left to BoringSSL's check.
    static func keyMatches(leaf: NIOSSLCertificate, keyPEM: String) -> Bool {
        guard let der = try? leaf.toDERBytes(),
            let certificate = try? Certificate(derEncoded: der),
            let key = try? Certificate.PrivateKey(pemEncoded: keyPEM)
        else { return true }
        return key.publicKey == certificate.publicKey
    }

    private static func read(_ path: String, what: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ServerTLSError("TLS \(what) file \(path) does not exist")
        }
        guard !isDirectory.boolValue else {
            throw ServerTLSError("TLS \(what) file \(path) is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerTLSError("cannot read TLS \(what) file \(path) (permission denied?)")
        }
        // PEM is ASCII; anything else (DER, for instance) is reported as "no PEM" by the caller.
        return String(decoding: data, as: UTF8.self)
    }
}

/// Why the TLS files could not be used: one line naming the file.
public struct ServerTLSError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
