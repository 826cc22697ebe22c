import DigitalTwinsClient
import Foundation
import HTTPTransport
import Testing

extension ClientTests {
    @Suite struct CredentialTests {
        static let scopes = ["https://digitaltwins.azure.net/.default"]

        /// An AAD-like token endpoint answering `token-<n>` with the given lifetime.
        static func tokenServer(expiresIn: @escaping @Sendable (Int) -> Int = { _ in 3599 }) throws -> LoopbackServer {
            try LoopbackServer { _, index in
                .json(
                    #"{"token_type":"Bearer","expires_in":\#(expiresIn(index)),"ext_expires_in":3599,"access_token":"token-\#(index)"}"#
                )
                .delayed(.milliseconds(50))
            }
        }

        static func form(_ body: String) -> [String: String] {
            var fields: [String: String] = [:]
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                fields[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return fields
        }

        @Test func clientSecretCredentialPostsTheFormAndCachesTheToken() async throws {
            let server = try Self.tokenServer()
            let credential = ClientSecretCredential(
                tenantID: "tenant-1", clientID: "app-id", clientSecret: "s3cret/+&= x", authorityHost: server.url + "/",
                retryPolicy: .fast)
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 { group.addTask { try await credential.token(scopes: Self.scopes).token } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(tokens == Array(repeating: "token-0", count: 10))
            let requests = server.requests
            #expect(requests.count == 1)
            let request = try #require(requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/tenant-1/oauth2/v2.0/token")
            #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
            #expect(
                Self.form(request.bodyText) == [
                    "grant_type": "client_credentials", "client_id": "app-id", "client_secret": "s3cret/+&= x",
                    "scope": "https://digitaltwins.azure.net/.default",
                ])
            // Later calls are served from the cache.
            _ = try await credential.token(scopes: Self.scopes)
            #expect(server.requests.count == 1)
        }

        @Test func concurrentClientCallsShareOneTokenRequest() async throws {
            let tokenServer = try Self.tokenServer()
            let adt = try LoopbackServer(script: [.json(#"{"$dtId":"t"}"#)])
            let credential = ClientSecretCredential(
                tenantID: "t1", clientID: "c", clientSecret: "s", authorityHost: tokenServer.url)
            let client = try makeClient(adt, credential: credential)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<10 { group.addTask { _ = try await client.getTwin(id: "t\(i)") } }
                try await group.waitForAll()
            }
            #expect(tokenServer.requests.count == 1)
            #expect(adt.requests.count == 10)
            #expect(adt.requests.allSatisfy { $0.headers["Authorization"] == "Bearer token-0" })
        }

        @Test func tokenIsRefreshedWhenNearExpiry() async throws {
            // The first token expires in 100 s, inside the 5-minute refresh margin.
            let server = try Self.tokenServer { $0 == 0 ? 100 : 3600 }
            let credential = ClientSecretCredential(
                tenantID: "t1", clientID: "c", clientSecret: "s", authorityHost: server.url)
            #expect(try await credential.token(scopes: Self.scopes).token == "token-0")
            #expect(try await credential.token(scopes: Self.scopes).token == "token-1")
            #expect(try await credential.token(scopes: Self.scopes).token == "token-1")
            #expect(server.requests.count == 2)
        }

        @Test func aFailedRefreshKeepsAStillValidToken() async throws {
            let server = try LoopbackServer { _, index in
                index == 0 ? .json(#"{"expires_in":100,"access_token":"old"}"#) : .status(500)
            }
            let credential = ClientSecretCredential(
                tenantID: "t1", clientID: "c", clientSecret: "s", authorityHost: server.url, retryPolicy: .none)
            #expect(try await credential.token(scopes: Self.scopes).token == "old")
            #expect(try await credential.token(scopes: Self.scopes).token == "old")
            #expect(server.requests.count == 2)
        }

        @Test func refusedClientSecretIsReportedWithoutTheSecret() async throws {
            let body =
                #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1","error_codes":[7000215]}"#
            let server = try LoopbackServer(script: [.json(body, status: 401)])
            let credential = ClientSecretCredential(
                tenantID: "t1", clientID: "c", clientSecret: "hunter2-secret", authorityHost: server.url)
            let error = await #expect(throws: CredentialError.self) {
                _ = try await credential.token(scopes: Self.scopes)
            }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.status == 401)
            let text = "\(error.map { "\($0)" } ?? "")"
            #expect(text.contains("invalid_client"))
            #expect(text.contains("AADSTS7000215: Invalid client secret provided."))
            #expect(!text.contains("Trace ID"))
            #expect(!text.contains("hunter2"))
            #expect(!"\(credential)".contains("hunter2"))
        }

        @Test func secretsAreNotSentOverPlainHTTPToANetworkHost() async throws {
            let credential = ClientSecretCredential(
                tenantID: "t1", clientID: "c", clientSecret: "s", authorityHost: "http://login.example.com")
            let error = await #expect(throws: CredentialError.self) {
                _ = try await credential.token(scopes: Self.scopes)
            }
            #expect(error?.message.contains("https") == true)
        }

        @Test func managedIdentityViaAppServiceEndpoint() async throws {
            let expiry = Int(Date().timeIntervalSince1970) + 3600
            let server = try LoopbackServer(script: [
                .json(
                    #"{"access_token":"mi-token","expires_on":"\#(expiry)","resource":"https://digitaltwins.azure.net","token_type":"Bearer"}"#
                )
            ])
            let credential = ManagedIdentityCredential(
                environment: ["IDENTITY_ENDPOINT": server.url + "/msi/token", "IDENTITY_HEADER": "header-secret"])
            let token = try await credential.token(scopes: Self.scopes)
            #expect(token.token == "mi-token")
            #expect(Int(token.expiresOn.timeIntervalSince1970) == expiry)
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.path == "/msi/token")
            #expect(request.queryValues("api-version") == ["2019-08-01"])
            #expect(request.queryValues("resource") == ["https://digitaltwins.azure.net"])
            #expect(request.headers["X-IDENTITY-HEADER"] == "header-secret")
            #expect(!"\(credential)".contains("header-secret"))
        }

        @Test func managedIdentityViaConfiguredIMDS() async throws {
            let expiry = Int(Date().timeIntervalSince1970) + 86_400
            let server = try LoopbackServer(script: [
                .json(
                    #"{"access_token":"imds-token","expires_in":"86399","expires_on":"\#(expiry)","token_type":"Bearer"}"#
                )
            ])
            let endpoint = server.url + "/metadata/identity/oauth2/token"
            let credential = ManagedIdentityCredential(
                clientID: "user-assigned-id", environment: [:], imdsEndpoint: endpoint)
            #expect(credential.source == .imds(endpoint: endpoint))
            let token = try await credential.token(scopes: Self.scopes)
            #expect(token.token == "imds-token")
            #expect(Int(token.expiresOn.timeIntervalSince1970) == expiry)
            _ = try await credential.token(scopes: Self.scopes)
            #expect(server.requests.count == 1)
            let request = try #require(server.requests.first)
            #expect(request.path == "/metadata/identity/oauth2/token")
            #expect(request.headers["Metadata"] == "true")
            #expect(request.queryValues("api-version") == ["2018-02-01"])
            #expect(request.queryValues("resource") == ["https://digitaltwins.azure.net"])
            #expect(request.queryValues("client_id") == ["user-assigned-id"])
        }

        @Test func imdsEndpointChoice() {
            let pod = ManagedIdentityCredential(environment: [
                "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9/"
            ])
            #expect(pod.source == .imds(endpoint: "http://127.0.0.1:9/metadata/identity/oauth2/token"))
            let fallback = ManagedIdentityCredential(environment: [:])
            #expect(fallback.source == .imds(endpoint: ManagedIdentityCredential.defaultIMDSEndpoint))  // not contacted
        }

        @Test func unreachableIMDSMeansUnavailable() async throws {
            let port = LoopbackServer.closedPort()
            let credential = ManagedIdentityCredential(
                environment: [:], imdsEndpoint: "http://127.0.0.1:\(port)/metadata/identity/oauth2/token")
            let error = await #expect(throws: CredentialError.self) {
                _ = try await credential.token(scopes: Self.scopes)
            }
            #expect(error?.kind == .unavailable)
        }

        @Test func imdsWithoutIdentityMeansUnavailable() async throws {
            let server = try LoopbackServer(script: [
                .json(#"{"error":"invalid_request","error_description":"Identity not found"}"#, status: 400)
            ])
            let credential = ManagedIdentityCredential(environment: [:], imdsEndpoint: server.url + "/token")
            let error = await #expect(throws: CredentialError.self) {
                _ = try await credential.token(scopes: Self.scopes)
            }
            #expect(error?.kind == .unavailable)
            #expect(error?.message.contains("Identity not found") == true)
        }

        @Test func environmentCredentialFromAGivenEnvironment() async throws {
            let server = try Self.tokenServer()
            let credential = EnvironmentCredential(environment: [
                "AZURE_TENANT_ID": "env-tenant", "AZURE_CLIENT_ID": "env-client", "AZURE_CLIENT_SECRET": "env-secret",
                "AZURE_AUTHORITY_HOST": server.url,
            ])
            #expect(credential.isConfigured)
            #expect(try await credential.token(scopes: Self.scopes).token == "token-0")
            let request = try #require(server.requests.first)
            #expect(request.path == "/env-tenant/oauth2/v2.0/token")
            #expect(Self.form(request.bodyText)["client_id"] == "env-client")
            #expect(Self.form(request.bodyText)["client_secret"] == "env-secret")
        }

        @Test func environmentCredentialNamesMissingVariables() async throws {
            let credential = EnvironmentCredential(environment: ["AZURE_CLIENT_ID": "c"])
            #expect(!credential.isConfigured)
            let error = await #expect(throws: CredentialError.self) {
                _ = try await credential.token(scopes: Self.scopes)
            }
            #expect(error?.kind == .unavailable)
            #expect(error?.message.contains("AZURE_TENANT_ID, AZURE_CLIENT_SECRET") == true)
        }

        @Test func defaultAzureCredentialListsWhatItTried() async throws {
            let port = LoopbackServer.closedPort()
            let credential = DefaultAzureCredential(
                environment: [:], imdsEndpoint: "http://127.0.0.1:\(port)/metadata/identity/oauth2/token")
            let error = await #expect(throws: CredentialError.self) {
                _ = try await credential.token(scopes: Self.scopes)
            }
            #expect(error?.kind == .unavailable)
            #expect(error?.credential == "DefaultAzureCredential")
            #expect(error?.attempts.map(\.credential) == ["EnvironmentCredential", "ManagedIdentityCredential"])
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains("tried, in order: EnvironmentCredential, ManagedIdentityCredential"))
            #expect(text.contains("missing AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET"))
            #expect(text.contains("no managed identity endpoint found"))
        }

        @Test func defaultAzureCredentialUsesTheEnvironmentFirst() async throws {
            let server = try Self.tokenServer()
            let credential = DefaultAzureCredential(
                environment: [
                    "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s",
                    "AZURE_AUTHORITY_HOST": server.url,
                ],
                imdsEndpoint: "http://127.0.0.1:\(LoopbackServer.closedPort())/token")
            #expect(try await credential.token(scopes: Self.scopes).token == "token-0")
        }

        @Test func aChainStopsAtAFailureThatIsNotUnavailability() async throws {
            let server = try LoopbackServer(script: [.json(#"{"error":"unauthorized_client"}"#, status: 400)])
            let chain = ChainedTokenCredential([
                EnvironmentCredential(environment: [:]),
                ClientSecretCredential(tenantID: "t", clientID: "c", clientSecret: "s", authorityHost: server.url),
                StaticTokenCredential(token: "never"),
            ])
            let error = await #expect(throws: CredentialError.self) { _ = try await chain.token(scopes: Self.scopes) }
            #expect(error?.kind == .authenticationFailed)
            #expect(error?.attempts.count == 2)
            let fallback = ChainedTokenCredential([
                EnvironmentCredential(environment: [:]), StaticTokenCredential(token: "static"),
            ])
            #expect(try await fallback.token(scopes: Self.scopes).token == "static")
        }

        @Test func tokensAreNeverPrinted() {
            let token = AccessToken(token: "eyJ-very-secret", expiresOn: Date())
            var dumped = ""
            dump(token, to: &dumped)
            #expect(!"\(token)".contains("eyJ"))
            #expect(!String(reflecting: token).contains("eyJ"))
            #expect(!dumped.contains("eyJ"))
            let request = TransportRequest(
                method: .post, url: "https://login.example.com/t/token?x=1",
                headers: ["Authorization": "Bearer eyJ-very-secret"],
                body: Array("client_secret=hunter2".utf8))
            var dumpedRequest = ""
            dump(request, to: &dumpedRequest)
            for text in ["\(request)", String(reflecting: request), dumpedRequest, "\(request.headers)"] {
                #expect(!text.contains("eyJ") && !text.contains("hunter2"), "\(text)")
            }
            let secrets: [any TokenCredential] = [
                ClientSecretCredential(tenantID: "t", clientID: "c", clientSecret: "hunter2"),
                EnvironmentCredential(environment: [
                    "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "hunter2",
                ]),
                ManagedIdentityCredential(environment: [
                    "IDENTITY_ENDPOINT": "http://127.0.0.1:1/", "IDENTITY_HEADER": "hunter2",
                ]),
                StaticTokenCredential(token: "hunter2"),
            ]
            for credential in secrets {
                var dumpedCredential = ""
                dump(credential, to: &dumpedCredential)
                #expect(
                    !"\(credential)".contains("hunter2") && !dumpedCredential.contains("hunter2"), "\(dumpedCredential)"
                )
            }
        }

        @Test func clientSendsTokensOnlyOverHTTPSOrLoopback() throws {
            let credential = StaticTokenCredential(token: "x")
            #expect(throws: ADTError.self) {
                _ = try DigitalTwinsClient(endpoint: "http://adt.example.com", credential: credential)
            }
            _ = try DigitalTwinsClient(endpoint: "http://127.0.0.1:8080", credential: credential)
            _ = try DigitalTwinsClient(endpoint: "http://localhost:8080", credential: credential)
            let bare = try DigitalTwinsClient(endpoint: "x.api.weu.digitaltwins.azure.net/", credential: credential)
            #expect(bare.endpoint == "https://x.api.weu.digitaltwins.azure.net")
            _ = try DigitalTwinsClient(endpoint: "http://adt.example.com")  // no credential: allowed
        }

        @Test func credentialFailureBecomesAnAuthenticationError() async throws {
            let adt = try LoopbackServer(script: [.json("{}")])
            let client = try makeClient(adt, credential: EnvironmentCredential(environment: [:]))
            let error = await #expect(throws: ADTError.self) { _ = try await client.getTwin(id: "t") }
            #expect(error?.kind == .authentication)
            #expect(error?.underlying is CredentialError)
            #expect(adt.requests.isEmpty)
        }
    }
}
