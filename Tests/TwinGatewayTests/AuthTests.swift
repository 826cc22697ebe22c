import ADTWire
import Crypto
import CryptoExtras
import DTDL
import Foundation
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TwinGateway
import TwinTestSupport

/// `--auth jwt`: tokens verified, roles enforced, the development issuer's client-credential flow.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)))
struct AuthTests {
    static let v = GatewayTest.version
    static let issuer = DevelopmentIssuer(clients: [
        .init(id: "owner-app", secret: "owner-secret", role: .owner),
        .init(id: "reader-app", secret: "reader-secret", role: .reader),
    ])

    static func withGateway(
        _ auth: AuthConfiguration, _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Void
    ) async throws {
        var configuration = GatewayConfiguration()
        configuration.auth = auth
        try await GatewayTest.withGateways(configurations: [configuration]) { gateways, _ in try await body(gateways[0])
        }
    }

    static func token(_ http: any TestClientProtocol, client: String, secret: String) async throws -> TestResponse {
        try await http.execute(
            uri: "/dev-issuer/tenant-1/oauth2/v2.0/token", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(
                string:
                    "grant_type=client_credentials&client_id=\(client)&client_secret=\(secret)&scope=https%3A%2F%2Fdigitaltwins.azure.net%2F.default"
            ))
    }

    static func bearer(_ http: any TestClientProtocol, client: String, secret: String) async throws -> HTTPFields {
        let response = try await token(http, client: client, secret: secret)
        #expect(response.status == .ok)
        let token = try #require(try GatewayTest.json(response)["access_token"]?.stringValue)
        return [.authorization: "Bearer \(token)"]
    }

    @Test func developmentIssuerFlowAndRoles() async throws {
        try await Self.withGateway(.development(Self.issuer)) { http in
            let discovery = try GatewayTest.json(
                try await http.execute(uri: "/dev-issuer/tenant-1/v2.0/.well-known/openid-configuration", method: .get))
            #expect(discovery["issuer"] == .string("http://localhost/dev-issuer/tenant-1/v2.0"))
            #expect(discovery["token_endpoint"] == .string("http://localhost/dev-issuer/tenant-1/oauth2/v2.0/token"))
            let keys = try GatewayTest.json(
                try await http.execute(uri: "/dev-issuer/tenant-1/discovery/v2.0/keys", method: .get))
            guard case .array(let list)? = keys["keys"] else {
                Issue.record("no keys")
                return
            }
            #expect(list.first?["kty"] == .string("EC"))

            let wrongSecret = try await Self.token(http, client: "owner-app", secret: "nope")
            #expect(wrongSecret.status == .unauthorized)
            #expect(try GatewayTest.json(wrongSecret)["error"] == .string("invalid_client"))

            // No token: 401 in the shape ADT's front end answers.
            let anonymous = try await http.send(.get, "/digitaltwins/t1?\(Self.v)")
            #expect(anonymous.status == .unauthorized)
            #expect(
                try GatewayTest.json(anonymous)
                    == .object(JSONObject([("statusCode", .integer(401)), ("message", .string("Unauthorized"))])))

            let owner = try await Self.bearer(http, client: "owner-app", secret: "owner-secret")
            let reader = try await Self.bearer(http, client: "reader-app", secret: "reader-secret")
            let model =
                #"[{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:A;1","@type":"Interface","contents":[{"@type":"Property","name":"p","schema":"integer"}]}]"#
            #expect(try await http.send(.post, "/models?\(Self.v)", model, headers: owner).status == .created)
            #expect(
                try await http.send(
                    .put, "/digitaltwins/t1?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:A;1"},"p":1}"#, headers: owner
                ).status == .ok)

            // A reader reads and queries, and cannot write.
            #expect(try await http.send(.get, "/digitaltwins/t1?\(Self.v)", headers: reader).status == .ok)
            #expect(
                try await http.send(
                    .post, "/query?\(Self.v)", #"{"query":"SELECT * FROM DIGITALTWINS"}"#, headers: reader
                ).status == .ok)
            let write = try await http.send(
                .put, "/digitaltwins/t2?\(Self.v)", #"{"$metadata":{"$model":"dtmi:ex:A;1"}}"#, headers: reader)
            #expect(write.status == .forbidden)
            #expect(try GatewayTest.errorCode(write) == "Forbidden")
            var telemetryHeaders = reader
            telemetryHeaders[HTTPField.Name("Message-Id")!] = "m1"
            #expect(
                try await http.send(.post, "/digitaltwins/t1/telemetry?\(Self.v)", "{}", headers: telemetryHeaders)
                    .status == .forbidden)
            #expect(try await http.send(.delete, "/models/dtmi:ex:A;1?\(Self.v)", headers: reader).status == .forbidden)
            // Readers list event routes but not the endpoint configuration, which is the operator's.
            #expect(try await http.send(.get, "/eventroutes?\(Self.v)", headers: reader).status == .ok)
            #expect(try await http.send(.get, "/endpoints?\(Self.v)", headers: reader).status == .forbidden)
            #expect(try await http.send(.get, "/endpoints?\(Self.v)", headers: owner).status == .ok)
            // Readers may watch the live stream (here refused for its filter, after auth passed).
            #expect(
                try await http.send(.get, "/events?filter=type%20%3D&\(Self.v)", headers: reader).status == .badRequest)
            #expect(try await http.send(.get, "/events?\(Self.v)").status == .unauthorized)
            // Nor the dead letters, which only owners list and replay.
            #expect(try await http.send(.get, "/deadletters?\(Self.v)", headers: reader).status == .forbidden)
            #expect(
                try await http.send(.post, "/deadletters/replay?\(Self.v)", "{}", headers: reader).status == .forbidden)
            #expect(try await http.send(.get, "/deadletters?\(Self.v)", headers: owner).status == .ok)
            #expect(try await http.send(.post, "/deadletters/replay?\(Self.v)", "{}", headers: owner).status == .ok)
            // Unauthenticated health checks still answer.
            #expect(try await http.send(.get, "/healthz").status == .ok)
        }
    }

    @Test func badTokensAreRefused() async throws {
        try await Self.withGateway(.development(Self.issuer)) { http in
            let owner = try await Self.bearer(http, client: "owner-app", secret: "owner-secret")
            let token = String(try #require(owner[.authorization]).dropFirst(7))
            let client = Self.issuer.clients["owner-app"]!
            let issuer = "http://localhost/dev-issuer/tenant-1/v2.0"
            // A character inside the signature (the last one may carry only padding bits).
            var characters = Array(token)
            let index = characters.count - 10
            characters[index] = characters[index] == "A" ? "B" : "A"
            let tampered = String(characters)
            let otherKey = DevelopmentIssuer(clients: [client])
            let cases: [(String, String)] = [
                ("bad signature", tampered),
                (
                    "another key",
                    try otherKey.token(for: client, issuer: issuer, audience: "https://digitaltwins.azure.net")
                ),
                (
                    "wrong audience",
                    try Self.issuer.token(for: client, issuer: issuer, audience: "https://management.azure.com")
                ),
                (
                    "expired",
                    try Self.issuer.token(
                        for: client, issuer: issuer, audience: "https://digitaltwins.azure.net",
                        now: Date().addingTimeInterval(-7200))
                ),
                (
                    "not yet valid",
                    try Self.issuer.token(
                        for: client, issuer: issuer, audience: "https://digitaltwins.azure.net",
                        now: Date().addingTimeInterval(600))
                ),
                ("not a JWT", "abc.def"),
            ]
            for (name, bad) in cases {
                let response = try await http.send(
                    .get, "/digitaltwins/t1?\(Self.v)", headers: [.authorization: "Bearer \(bad)"])
                #expect(response.status == .unauthorized, "\(name)")
            }
            let fine = try await http.send(.get, "/digitaltwins/t1?\(Self.v)", headers: owner)
            #expect(fine.status == .notFound)
        }
    }

    /// RS256 tokens of another issuer (as Azure AD signs them), keys from a JWKS file, roles from
    /// a role-assignment file.
    @Test func rs256TokensWithKeyFileAndRoleAssignments() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pem = directory.appendingPathComponent("key.pem").path
        try key.publicKey.pemRepresentation.write(toFile: pem, atomically: true, encoding: .utf8)
        let roles = directory.appendingPathComponent("roles.json").path
        try #"[{"principalId":"object-1","role":"Azure Digital Twins Data Reader"}]"#.write(
            toFile: roles, atomically: true, encoding: .utf8)
        let aad = "https://login.microsoftonline.com/tenant-1/v2.0"
        var auth = try AuthConfiguration.jwt(issuers: [aad], keyFile: pem)
        auth.roleAssignments = try DataRole.assignments(file: roles)

        @Sendable func sign(_ claims: JSONObject) throws -> String {
            let header = JSONObject([("typ", .string("JWT")), ("alg", .string("RS256")), ("kid", .string("k1"))])
            let input =
                Base64URL.encode(JSONWriter.bytes(.object(header))) + "."
                + Base64URL.encode(JSONWriter.bytes(.object(claims)))
            let signature = try key.signature(for: SHA256.hash(data: Array(input.utf8)), padding: .insecurePKCS1v1_5)
            return input + "." + Base64URL.encode(signature.rawRepresentation)
        }
        let now = Int64(Date().timeIntervalSince1970)
        @Sendable func claims(iss: String = aad, oid: String = "object-1") -> JSONObject {
            JSONObject([
                ("aud", .string("https://digitaltwins.azure.net")), ("iss", .string(iss)), ("exp", .integer(now + 600)),
                ("nbf", .integer(now - 10)), ("oid", .string(oid)),
            ])
        }
        try await Self.withGateway(auth) { http in
            let reader = try sign(claims())
            #expect(
                try await http.send(.get, "/models?\(Self.v)", headers: [.authorization: "Bearer \(reader)"]).status
                    == .ok)
            #expect(
                try await http.send(.post, "/models?\(Self.v)", "[]", headers: [.authorization: "Bearer \(reader)"])
                    .status == .forbidden)
            let stranger = try sign(claims(oid: "object-2"))
            #expect(
                try await http.send(.get, "/models?\(Self.v)", headers: [.authorization: "Bearer \(stranger)"]).status
                    == .forbidden)
            let otherIssuer = try sign(claims(iss: "https://login.microsoftonline.com/tenant-2/v2.0"))
            #expect(
                try await http.send(.get, "/models?\(Self.v)", headers: [.authorization: "Bearer \(otherIssuer)"])
                    .status == .unauthorized)
        }
    }

    /// Keys found through the issuer's OpenID configuration, fetched again for an unknown key id.
    @Test func keysFromOpenIDDiscovery() async throws {
        let signer = DevelopmentIssuer(clients: [.init(id: "app", secret: "s", role: .owner)])
        let issuerURL = "https://login.example.test/tenant-1/v2.0"
        let fetched = FetchLog()
        let auth = AuthConfiguration.jwt(issuers: [issuerURL]) { url in
            await fetched.note(url)
            switch url {
            case issuerURL + "/.well-known/openid-configuration":
                return Array(#"{"jwks_uri":"https://login.example.test/tenant-1/keys"}"#.utf8)
            case "https://login.example.test/tenant-1/keys":
                return JSONWriter.bytes(signer.jwks)
            default:
                throw AuthConfigurationError("unexpected \(url)")
            }
        }
        let token = try signer.token(
            for: signer.clients["app"]!, issuer: issuerURL, audience: "https://digitaltwins.azure.net")
        try await Self.withGateway(auth) { http in
            for _ in 0..<2 {
                let response = try await http.send(
                    .get, "/models?\(Self.v)", headers: [.authorization: "Bearer \(token)"])
                #expect(response.status == .ok)
            }
        }
        // Fetched once, then served from the cache.
        #expect(
            await fetched.urls == [
                issuerURL + "/.well-known/openid-configuration", "https://login.example.test/tenant-1/keys",
            ])
    }
}

actor FetchLog {
    var urls: [String] = []
    func note(_ url: String) { urls.append(url) }
}
