import ArgumentParser
import DigitalTwinsClient
import Foundation
import HTTPTransport

/// The credential for Azure Digital Twins that a command's options and the Azure environment
/// variables choose, in this order: none when asked; a token; the managed identity; a client
/// secret (flags, else `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`,
/// `AZURE_AUTHORITY_HOST`); none for plain HTTP on loopback (a local gateway without auth); else
/// Azure SDKs' default chain (environment, then managed identity). Used by `twins functions`
/// and the client commands.
struct CredentialChoice {
    var token: String?
    var tenantID: String?
    var clientID: String?
    var clientSecret: String?
    var authorityHost: String?
    var managedIdentity = false
    var noCredential = false
    /// A CA file to trust on the way to the token authority.
    var caFile: String?

    func credential(for endpoint: String) throws -> (any TokenCredential)? {
        if noCredential {
            if token != nil || managedIdentity || clientSecret != nil {
                throw CommandFailure(
                    "--no-credential cannot be combined with --token, --client-secret or --managed-identity")
            }
            return nil
        }
        let environment = ProcessInfo.processInfo.environment
        let transport = caFile.map { CurlTransport(configuration: .init(caFile: $0)) }
        if let token { return StaticTokenCredential(token: token) }
        let client = Environment.optional(clientID, "AZURE_CLIENT_ID")
        if managedIdentity { return ManagedIdentityCredential(clientID: client, environment: environment) }
        let tenant = Environment.optional(tenantID, "AZURE_TENANT_ID")
        let secret = Environment.optional(clientSecret, "AZURE_CLIENT_SECRET")
        if let tenant, let client, let secret {
            return ClientSecretCredential(
                tenantID: tenant, clientID: client, clientSecret: secret,
                authorityHost: Environment.optional(authorityHost, "AZURE_AUTHORITY_HOST")
                    ?? ClientSecretCredential.defaultAuthorityHost,
                transport: transport)
        }
        if tenantID != nil || clientSecret != nil {
            throw CommandFailure(
                "a client secret needs --tenant-id, --client-id and --client-secret (or AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)"
            )
        }
        if Self.isPlainHTTPOnLoopback(endpoint) { return nil }
        return DefaultAzureCredential(environment: environment, transport: transport)
    }

    /// `http://localhost…`, `http://127.x.y.z…` or `http://[::1]…`.
    static func isPlainHTTPOnLoopback(_ endpoint: String) -> Bool {
        let text = endpoint.trimmingCharacters(in: .whitespaces).lowercased()
        guard text.hasPrefix("http://") else { return false }
        let authority = text.dropFirst("http://".count).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.split(separator: "@").last.map(String.init) ?? ""
        let host: String
        if hostAndPort.hasPrefix("[") {
            host = String(hostAndPort.dropFirst().prefix { $0 != "]" })
        } else {
            host = String(hostAndPort.prefix { $0 != ":" })
        }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// The Azure AD options of the commands that call Digital Twins (`twins functions` and the
/// client commands), declared once.
struct AzureCredentialOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Azure AD tenant, for a client secret (env AZURE_TENANT_ID).", valueName: "id"))
    var tenantId: String?

    @Option(
        help: ArgumentHelp(
            "Application (client) id; with --managed-identity, a user-assigned identity (env AZURE_CLIENT_ID).",
            valueName: "id"))
    var clientId: String?

    @Option(help: ArgumentHelp("Client secret (env AZURE_CLIENT_SECRET).", valueName: "secret"))
    var clientSecret: String?

    @Option(
        help: ArgumentHelp(
            "Token authority (env AZURE_AUTHORITY_HOST). Default: https://login.microsoftonline.com; the gateway's development issuer is <gateway>/dev-issuer",
            valueName: "url"))
    var authorityHost: String?

    @Flag(
        help:
            "Use the machine's managed identity (App Service / Functions, or the instance metadata endpoint) (env TWINS_MANAGED_IDENTITY=1)."
    )
    var managedIdentity = false

    /// The credential choice of these options with the command's own token, opt-out and CA file.
    func choice(token: String?, noCredential: Bool = false, caFile: String?) -> CredentialChoice {
        CredentialChoice(
            token: token, tenantID: tenantId, clientID: clientId, clientSecret: clientSecret,
            authorityHost: authorityHost,
            managedIdentity: Environment.bool(managedIdentity, "TWINS_MANAGED_IDENTITY"), noCredential: noCredential,
            caFile: caFile)
    }
}
