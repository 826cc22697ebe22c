import ADTWire
import DTDL
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import HTTPTransport
import Testing
import TwinTestSupport

/// Every call of the client against the real gateway over HTTPS, authenticated by the client's
/// own client-secret flow against the gateway's development issuer.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)), .timeLimit(.minutes(2)))
struct ClientEndToEndTests {
    static func client(_ endpoint: LiveGateway.Endpoint, id: String = "owner-app", secret: String = "owner-secret")
        throws
        -> DigitalTwinsClient
    {
        let credential = ClientSecretCredential(
            tenantID: "tenant-1", clientID: id, clientSecret: secret, authorityHost: endpoint.authorityHost,
            transport: CurlTransport(configuration: .init(caFile: endpoint.caFile)))
        return try DigitalTwinsClient(
            endpoint: endpoint.url, credential: credential, options: .init(caFile: endpoint.caFile))
    }

    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    static let models = """
        [{"@context":"dtmi:dtdl:context;3","@id":"dtmi:e2e:Thermostat;1","@type":"Interface","contents":[
            {"@type":"Property","name":"setpoint","schema":"double"},{"@type":"Telemetry","name":"reading","schema":"double"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:e2e:Room;1","@type":"Interface","contents":[
            {"@type":"Property","name":"name","schema":"string"},{"@type":"Property","name":"temperature","schema":"double"},
            {"@type":"Telemetry","name":"humidity","schema":"double"},
            {"@type":"Component","name":"thermostat","schema":"dtmi:e2e:Thermostat;1"},
            {"@type":"Relationship","name":"contains","properties":[{"@type":"Property","name":"since","schema":"string"}]}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:e2e:Spare;1","@type":"Interface"}]
        """

    static func room(_ id: String, name: String, temperature: Double) -> JSONObject {
        JSONObject([
            ("$metadata", .object(JSONObject([("$model", .string("dtmi:e2e:Room;1"))]))), ("name", .string(name)),
            ("temperature", .double(temperature)),
            ("thermostat", .object(JSONObject([("$metadata", .object(JSONObject()))]))),
        ])
    }

    @Test func everyCallAgainstTheGateway() async throws {
        try await LiveGateway.secured { endpoint in
            let client = try Self.client(endpoint)
            // Models.
            guard case .array(let definitions) = try Self.json(Self.models) else { return }
            let created = try await client.createModels(definitions)
            #expect(created.map(\.id) == ["dtmi:e2e:Thermostat;1", "dtmi:e2e:Room;1", "dtmi:e2e:Spare;1"])
            let room = try await client.getModel(id: "dtmi:e2e:Room;1", includeModelDefinition: true)
            #expect(room.model?["@id"] == .string("dtmi:e2e:Room;1"))
            let listed = try await client.listModels(maxItemsPerPage: 2).pages.collect()
            #expect(listed.map(\.items.count) == [2, 1])
            try await client.decommissionModel(id: "dtmi:e2e:Spare;1")
            #expect(try await client.getModel(id: "dtmi:e2e:Spare;1").decommissioned)
            try await client.deleteModel(id: "dtmi:e2e:Spare;1")
            await #expect { try await client.getModel(id: "dtmi:e2e:Spare;1") } throws: {
                ($0 as? ADTError)?.isNotFound == true
            }

            // Twins and components.
            let kitchen = try await client.createOrReplaceTwin(
                id: "kitchen 1", Self.room("kitchen 1", name: "Kitchen", temperature: 20), ifNoneMatch: "*")
            #expect(kitchen.id == "kitchen 1")
            #expect(kitchen.modelID == "dtmi:e2e:Room;1")
            await #expect {
                _ = try await client.createOrReplaceTwin(
                    id: "kitchen 1", Self.room("kitchen 1", name: "Again", temperature: 1), ifNoneMatch: "*")
            } throws: { ($0 as? ADTError)?.isPreconditionFailed == true }
            _ = try await client.createOrReplaceTwin(id: "hall", Self.room("hall", name: "Hall", temperature: 18))
            let fetched = try await client.getTwin(id: "kitchen 1")
            #expect(fetched.json["name"] == .string("Kitchen"))
            let newETag = try await client.updateTwin(
                id: "kitchen 1", patch: [.replace("/temperature", .double(22.5))], ifMatch: try #require(fetched.etag))
            #expect(newETag != nil && newETag != fetched.etag)
            await #expect {
                _ = try await client.updateTwin(
                    id: "kitchen 1", patch: [.replace("/temperature", .double(1))], ifMatch: fetched.etag)
            } throws: { ($0 as? ADTError)?.isPreconditionFailed == true }
            _ = try await client.updateComponent(
                twinID: "kitchen 1", path: "thermostat", patch: [.add("/setpoint", .double(21))])
            let component = try await client.getComponent(twinID: "kitchen 1", path: "thermostat")
            #expect(component.json["setpoint"] == .double(21))

            // Relationships.
            let relationship = try await client.createOrReplaceRelationship(
                sourceID: "kitchen 1", relationshipID: "r1",
                JSONObject([
                    ("$targetId", .string("hall")), ("$relationshipName", .string("contains")),
                    ("since", .string("2020")),
                ]))
            #expect(relationship.id == "r1")
            let got = try await client.getRelationship(sourceID: "kitchen 1", relationshipID: "r1")
            #expect(got.json["since"] == .string("2020"))
            _ = try await client.updateRelationship(
                sourceID: "kitchen 1", relationshipID: "r1", patch: [.replace("/since", .string("2021"))])
            #expect(try await client.listRelationships(twinID: "kitchen 1").collect().map(\.id) == ["r1"])
            #expect(try await client.listRelationships(twinID: "kitchen 1", name: "contains").collect().count == 1)
            #expect(try await client.listIncomingRelationships(twinID: "hall").collect().count == 1)

            // Telemetry.
            let messageID = try await client.publishTelemetry(
                twinID: "kitchen 1", payload: .object(JSONObject([("humidity", .double(40))])))
            #expect(!messageID.isEmpty)
            _ = try await client.publishComponentTelemetry(
                twinID: "kitchen 1", componentPath: "thermostat",
                payload: .object(JSONObject([("reading", .double(20))])))
            await #expect {
                _ = try await client.publishTelemetry(
                    twinID: "kitchen 1", payload: .object(JSONObject([("humidity", .string("wet"))])))
            } throws: { ($0 as? ADTError)?.code?.rawValue == "ValidationFailed" }

            // Query, over pages.
            let pages = try await client.query(
                "SELECT T.name FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:e2e:Room;1')", pageSize: 1
            ).collect()
            #expect(pages.count == 2)
            #expect(pages.allSatisfy { ($0.queryCharge ?? 0) > 0 })
            let names = try await client.query("SELECT T.name FROM DIGITALTWINS T").items.collect().compactMap {
                $0["name"]?.stringValue
            }
            #expect(names.sorted() == ["Hall", "Kitchen"])
            await #expect { _ = try await client.query("SELEC").collect() } throws: {
                ($0 as? ADTError)?.code?.rawValue == "SqlQueryError"
            }

            // Deletes: a twin with relationships is kept unless cascade.
            await #expect { try await client.deleteTwin(id: "hall") } throws: {
                ($0 as? ADTError)?.code?.rawValue == "RelationshipsNotDeleted"
            }
            try await client.deleteRelationship(sourceID: "kitchen 1", relationshipID: "r1")
            try await client.deleteTwin(id: "hall")
            _ = try await client.createOrReplaceTwin(id: "pantry", Self.room("pantry", name: "Pantry", temperature: 12))
            _ = try await client.createOrReplaceRelationship(
                sourceID: "kitchen 1", relationshipID: "r2",
                JSONObject([("$targetId", .string("pantry")), ("$relationshipName", .string("contains"))]))
            try await client.deleteTwin(id: "kitchen 1", cascade: true)
            #expect(try await client.listIncomingRelationships(twinID: "pantry").collect().isEmpty)
            await #expect { _ = try await client.getTwin(id: "kitchen 1") } throws: {
                ($0 as? ADTError)?.isNotFound == true
            }
        }
    }

    @Test func rolesAndCredentials() async throws {
        try await LiveGateway.secured { endpoint in
            let owner = try Self.client(endpoint)
            _ = try await owner.createModels([
                try Self.json(#"{"@context":"dtmi:dtdl:context;3","@id":"dtmi:e2e:A;1","@type":"Interface"}"#)
            ])
            let reader = try Self.client(endpoint, id: "reader-app", secret: "reader-secret")
            #expect(try await reader.listModels().collect().count == 1)
            await #expect {
                _ = try await reader.createOrReplaceTwin(
                    id: "a", JSONObject([("$metadata", .object(JSONObject([("$model", .string("dtmi:e2e:A;1"))])))]))
            } throws: { ($0 as? ADTError)?.status == 403 }

            let wrongSecret = try Self.client(endpoint, id: "owner-app", secret: "wrong")
            // The development issuer refuses the secret as Azure AD does (401 invalid_client): the
            // credential fails, and no request reaches the API.
            await #expect { _ = try await wrongSecret.listModels().collect() } throws: { error in
                guard let error = error as? ADTError, error.kind == .authentication,
                    let failure = error.underlying as? CredentialError
                else { return false }
                return failure.kind == .authenticationFailed && failure.status == 401
                    && failure.message.contains("invalid_client")
            }
            let anonymous = try DigitalTwinsClient(endpoint: endpoint.url, options: .init(caFile: endpoint.caFile))
            await #expect { _ = try await anonymous.listModels().collect() } throws: {
                ($0 as? ADTError)?.status == 401
            }
            // Without the development certificate, TLS verification refuses the server.
            let untrusting = try DigitalTwinsClient(endpoint: endpoint.url)
            await #expect { _ = try await untrusting.listModels().collect() } throws: {
                ($0 as? ADTError)?.kind == .transport
            }
        }
    }
}
