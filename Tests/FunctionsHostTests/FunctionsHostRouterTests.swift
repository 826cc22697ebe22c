import DTDL
import DeviceLifecycle
import DigitalTwinsClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import FunctionsHost

/// A Digital Twins service nobody listens to: a real client pointed at a closed loopback port,
/// without retries. Enough for everything the host answers before (or instead of) reaching ADT.
enum Unreachable {
    static let logger: Logger = {
        var logger = Logger(label: "functions-host-tests")
        logger.logLevel = .critical
        return logger
    }()

    static let service: any DigitalTwinsService = {
        let client = try! DigitalTwinsClient(
            endpoint: "http://127.0.0.1:1",
            options: .init(connectTimeout: .seconds(2), requestTimeout: .seconds(5), retryPolicy: .none, logger: logger)
        )
        return ClientTwinsService(client: client)
    }()

    /// The functions host over the unreachable service, tested through its router.
    static func test<T: Sendable>(
        keys: FunctionKeys = FunctionKeys(hostKeys: ["host-key"], functionKeys: [.allocation: ["alloc-key"]]),
        maxBodyBytes: Int = 4 << 20,
        _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let configuration = FunctionsHostConfiguration(
            host: "127.0.0.1", port: 0, keys: keys, maxBodyBytes: maxBodyBytes)
        let app = try buildFunctionsApplication(configuration: configuration, service: service, logger: logger)
        return try await app.test(.router, body)
    }
}

/// The host's HTTP behaviour that needs no Digital Twins service: keys, limits, handshakes.
struct FunctionsHostRouterTests {
    @Test func healthzNeedsNoKey() async throws {
        try await Unreachable.test { http in
            let response = try await http.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(try Fixtures.json(response) == ["status": "ok"])
        }
    }

    @Test func aMissingOrWrongKeyIs401WithAnEmptyBody() async throws {
        try await Unreachable.test { http in
            let body = ByteBuffer(string: Fixtures.allocationRequest())
            let calls: [(String, HTTPFields)] = [
                ("/api/DpsAdtAllocationFunc", [:]),
                ("/api/DpsAdtAllocationFunc?code=", [:]),
                ("/api/DpsAdtAllocationFunc?code=wrong", [:]),
                ("/api/DpsAdtAllocationFunc", Fixtures.keyHeader("wrong")),
                // A correct query key does not rescue a wrong header: the header wins.
                ("/api/DpsAdtAllocationFunc?code=host-key", Fixtures.keyHeader("wrong")),
                // The allocation function's own key does not open the others.
                ("/api/DeleteDeviceInTwinFunc?code=alloc-key", [:]),
                ("/api/DeviceTelemetryToTwinFunc", Fixtures.keyHeader("alloc-key")),
            ]
            for (uri, headers) in calls {
                let response = try await http.execute(uri: uri, method: .post, headers: headers, body: body)
                #expect(response.status == .unauthorized, "\(uri)")
                #expect(response.body.readableBytes == 0, "\(uri)")
            }
            // GET too, and the OPTIONS handshake.
            #expect(try await http.execute(uri: "/api/DpsAdtAllocationFunc", method: .get).status == .unauthorized)
            let options = try await http.execute(
                uri: "/api/DeleteDeviceInTwinFunc", method: .options,
                headers: [HTTPField.Name("WebHook-Request-Origin")!: "eventgrid.azure.net"])
            #expect(options.status == .unauthorized)
            #expect(options.headers[HTTPField.Name("WebHook-Allowed-Origin")!] == nil)
        }
    }

    @Test func theEventGridValidationHandshakeIsAnswered() async throws {
        try await Unreachable.test { http in
            for function in [FunctionName.retire, .ingest] {
                let response = try await http.execute(
                    uri: function.path + "?code=host-key", method: .post,
                    headers: [
                        .contentType: "application/json", HTTPField.Name("aeg-event-type")!: "SubscriptionValidation",
                    ],
                    body: ByteBuffer(string: Fixtures.subscriptionValidation))
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(try Fixtures.json(response) == ["validationResponse": .string(Fixtures.validationCode)])
            }
        }
    }

    @Test func theCloudEventsAbuseProtectionHandshakeIsAnswered() async throws {
        try await Unreachable.test { http in
            let response = try await http.execute(
                uri: "/api/DeleteDeviceInTwinFunc?code=host-key", method: .options,
                headers: [HTTPField.Name("WebHook-Request-Origin")!: "eventgrid.azure.net"])
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("WebHook-Allowed-Origin")!] == "eventgrid.azure.net")
            #expect(response.headers[HTTPField.Name("WebHook-Allowed-Rate")!] == "*")
            #expect(response.body.readableBytes == 0)

            let notAHandshake = try await http.execute(
                uri: "/api/DeleteDeviceInTwinFunc?code=host-key", method: .options)
            #expect(notAHandshake.status == .badRequest)
            #expect(try Fixtures.json(notAHandshake)["error"]?["code"] == "BadRequest")
        }
    }

    @Test func keysAreNotRequiredWhenNoneAreConfigured() async throws {
        try await Unreachable.test(keys: FunctionKeys()) { http in
            let response = try await http.execute(
                uri: "/api/DeviceTelemetryToTwinFunc", method: .post,
                body: ByteBuffer(string: Fixtures.subscriptionValidation))
            #expect(response.status == .ok)
            #expect(try Fixtures.json(response) == ["validationResponse": .string(Fixtures.validationCode)])
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        try await Unreachable.test(maxBodyBytes: 64) { http in
            let big = ByteBuffer(string: Fixtures.allocationRequest())
            let response = try await http.execute(
                uri: "/api/DpsAdtAllocationFunc?code=alloc-key", method: .post, body: big)
            #expect(response.status == .contentTooLarge)
            #expect(try Fixtures.json(response)["error"]?["code"] == "PayloadTooLarge")
        }
    }

    @Test func malformedInputIs400FromTheFunction() async throws {
        try await Unreachable.test { http in
            let allocation = try await http.execute(
                uri: "/api/DpsAdtAllocationFunc?code=alloc-key", method: .post, body: ByteBuffer(string: "not json"))
            #expect(allocation.status == .badRequest)
            #expect(try Fixtures.json(allocation)["error"]?["code"] == "BadRequest")
            // GET is accepted like POST (the sample's trigger takes both); without a body it is a 400.
            let get = try await http.execute(
                uri: "/api/DpsAdtAllocationFunc", method: .get, headers: Fixtures.keyHeader("host-key"))
            #expect(get.status == .badRequest)
            let retire = try await http.execute(
                uri: "/api/DeleteDeviceInTwinFunc?code=host-key", method: .post, body: ByteBuffer(string: "[]"))
            #expect(retire.status == .badRequest)
        }
    }

    @Test func routesMatchCaseInsensitively() async throws {
        try await Unreachable.test { http in
            let response = try await http.execute(
                uri: "/API/deletedeviceintwinfunc?code=host-key", method: .post,
                body: ByteBuffer(string: Fixtures.subscriptionValidation))
            #expect(response.status == .ok)
        }
    }

    @Test func anUnreachableServiceIs503SoTheSenderRetries() async throws {
        try await Unreachable.test { http in
            let response = try await http.execute(
                uri: "/api/DpsAdtAllocationFunc?code=alloc-key", method: .post,
                body: ByteBuffer(string: Fixtures.allocationRequest()))
            #expect(response.status == .serviceUnavailable)
            #expect(try Fixtures.json(response)["error"]?["code"] == "ServiceUnavailable")
        }
    }

    @Test func theCallsOwnCredentialsAreNotPassedToTheFunctions() {
        let fields: HTTPFields = [
            HTTPField.Name("x-functions-key")!: "k", .authorization: "Bearer t", .cookie: "c",
            HTTPField.Name("Ce-Type")!: "a",
            HTTPField.Name("ce-subject")!: "devices/d1",
        ]
        #expect(FunctionRoutes.functionHeaders(fields) == ["ce-type": "a", "ce-subject": "devices/d1"])
    }
}
