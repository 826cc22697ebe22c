import ADTWire
import DTDL
import Foundation
import HTTPTypes
import Hummingbird

/// The development issuer's endpoints, shaped as Azure AD v2's for a tenant:
/// `GET /dev-issuer/{tenant}/v2.0/.well-known/openid-configuration`,
/// `GET /dev-issuer/{tenant}/discovery/v2.0/keys` and
/// `POST /dev-issuer/{tenant}/oauth2/v2.0/token` (client credentials).
/// The client's authority host is then `<gateway URL>/dev-issuer`.
struct DevelopmentIssuerRoutes: Sendable {
    let issuer: DevelopmentIssuer
    /// `http` or `https`, as the gateway serves.
    let scheme: String

    func register(on router: Router<some RequestContext>) {
        let group = router.group("dev-issuer")
        group.get("{tenant}/v2.0/.well-known/openid-configuration") { request, context in
            let authority = try authority(request, context)
            let tenant = try context.parameters.require("tenant")
            // Azure AD v2's metadata, member for member, so that MSAL (and Azure Identity on it)
            // takes this issuer as an authority: MSAL requires `authorization_endpoint` and
            // `token_endpoint`, reads `issuer` and `device_authorization_endpoint`. The
            // interactive endpoints exist and answer that only client credentials are served.
            let base = "\(authority)/\(tenant)"
            let strings = { (items: [String]) in JSONValue.array(items.map(JSONValue.string)) }
            let document = JSONObject([
                ("token_endpoint", .string("\(base)/oauth2/v2.0/token")),
                ("token_endpoint_auth_methods_supported", strings(["client_secret_post"])),
                ("jwks_uri", .string("\(base)/discovery/v2.0/keys")),
                ("response_modes_supported", strings(["query", "fragment", "form_post"])),
                ("subject_types_supported", strings(["pairwise"])),
                ("id_token_signing_alg_values_supported", strings(["ES256"])),
                ("response_types_supported", strings(["code", "id_token", "code id_token", "id_token token"])),
                ("scopes_supported", strings(["openid", "profile", "email", "offline_access"])),
                ("issuer", .string(DevelopmentIssuer.issuer(authority: authority, tenant: tenant))),
                ("request_uri_parameter_supported", .bool(false)),
                ("authorization_endpoint", .string("\(base)/oauth2/v2.0/authorize")),
                ("device_authorization_endpoint", .string("\(base)/oauth2/v2.0/devicecode")),
                ("http_logout_supported", .bool(false)),
                ("frontchannel_logout_supported", .bool(false)),
                ("end_session_endpoint", .string("\(base)/oauth2/v2.0/logout")),
                (
                    "claims_supported",
                    strings(["sub", "iss", "aud", "exp", "iat", "nbf", "appid", "azp", "oid", "tid", "roles"])
                ),
                ("grant_types_supported", strings(["client_credentials"])),
                ("tenant_region_scope", .null),
                ("cloud_instance_name", .string("dev-issuer")),
                ("cloud_graph_host_name", .null),
                ("msgraph_host", .null),
                ("rbac_url", .null),
            ])
            return Self.json(.ok, .object(document))
        }
        group.get("{tenant}/discovery/v2.0/keys") { _, _ in Self.json(.ok, issuer.jwks) }
        // Listed in the metadata for MSAL; only the client-credentials flow is served.
        for flow in ["authorize", "devicecode", "logout"] {
            group.get("{tenant}/oauth2/v2.0/\(flow)") { _, _ in Self.onlyClientCredentials() }
            group.post("{tenant}/oauth2/v2.0/\(flow)") { _, _ in Self.onlyClientCredentials() }
        }
        group.post("{tenant}/oauth2/v2.0/token") { request, context in
            let tenant = try context.parameters.require("tenant")
            let form = Self.form(String(buffer: try await request.body.collect(upTo: 64 << 10)))
            guard form["grant_type"] == "client_credentials" else {
                return Self.oauthError(
                    400, "unsupported_grant_type",
                    "AADSTS70003: The grant type is not supported; use client_credentials.")
            }
            guard let scope = form["scope"], let audience = Self.audience(ofScope: scope) else {
                return Self.oauthError(
                    400, "invalid_scope", "AADSTS70011: The scope must be https://digitaltwins.azure.net/.default.")
            }
            guard let id = form["client_id"], let client = issuer.clients[id] else {
                return Self.oauthError(
                    400, "unauthorized_client",
                    "AADSTS700016: The application was not found among the development clients.")
            }
            guard let secret = form["client_secret"], ConstantTime.equal(secret, client.secret) else {
                return Self.oauthError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
            }
            let token = try issuer.token(
                for: client,
                issuer: DevelopmentIssuer.issuer(authority: try authority(request, context), tenant: tenant),
                audience: audience)
            let lifetime = Int64(issuer.tokenLifetime)
            return Self.json(
                .ok,
                .object(
                    JSONObject([
                        ("token_type", .string("Bearer")), ("expires_in", .integer(lifetime)),
                        ("ext_expires_in", .integer(lifetime)),
                        ("access_token", .string(token)),
                    ])))
        }
    }

    /// `<scheme>://<host>/dev-issuer`, from the request's Host.
    func authority(_ request: Request, _ context: some RequestContext) throws -> String {
        guard let host = request.head.authority else {
            throw HTTPError(.badRequest, message: "The request has no Host header.")
        }
        return "\(scheme)://\(host)/dev-issuer"
    }

    /// The audience of a `.default` scope for ADT (its URI or application id).
    static func audience(ofScope scope: String) -> String? {
        for item in scope.split(separator: " ") {
            switch item {
            case "https://digitaltwins.azure.net/.default", "https://digitaltwins.azure.net//.default":
                return "https://digitaltwins.azure.net"
            case "0b07f429-9f4b-4714-9392-cc5e8e80c8b0/.default":
                return "0b07f429-9f4b-4714-9392-cc5e8e80c8b0"
            default: continue
            }
        }
        return nil
    }

    /// `application/x-www-form-urlencoded` fields.
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            fields[decode(parts[0])] = parts.count == 2 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(value))))
    }

    /// The answer of the interactive endpoints.
    static func onlyClientCredentials() -> Response {
        oauthError(
            400, "unsupported_grant_type",
            "AADSTS70000: The development issuer serves the client-credentials flow only (POST <authority>/<tenant>/oauth2/v2.0/token)."
        )
    }

    /// Azure AD's error shape.
    static func oauthError(_ status: Int, _ error: String, _ description: String) -> Response {
        json(
            .init(code: status),
            .object(JSONObject([("error", .string(error)), ("error_description", .string(description))])))
    }
}
