import ADTWire
import DigitalTwinsClient
import EventDelivery
import EventRoutes
import GatewayTestSupport
import Testing
import TwinGateway
import TwinMigration
import TwinTestSupport

/// The out direction to an instance that answers every other request 429 (as a throttled ADT
/// instance does): the client's retries and the delivery's ride it out, nothing is lost.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)), .timeLimit(.minutes(3)))
struct BridgeThrottlingTests {
    @Test func aThrottledTargetEndsIdentical() async throws {
        try await LiveGateway.plain { targetEndpoint in
            let proxy = ThrottlingProxy(target: targetEndpoint.url)
            try await proxy.run { proxyURL in
                try await LiveGateway.withMigratedDatabase { database in
                    let endpoint = EventEndpoint(
                        name: "azure", kind: .digitaltwins,
                        settings: JSONObject([(key: "url", value: .string(proxyURL)), (key: "maxBatchSize", value: 20)])
                    )
                    var configuration = GatewayConfiguration(host: "127.0.0.1", port: 0)
                    configuration.endpoints = [endpoint]
                    try await LiveGateway.serve(database: database, configuration: configuration) { usEndpoint in
                        let us = try DigitalTwinsClient(endpoint: usEndpoint.url)
                        let target = try DigitalTwinsClient(endpoint: targetEndpoint.url)
                        _ = try await us.createModels(BridgeSides.models)
                        try await us.upsertEventRoute(id: "bridge", endpointName: "azure", filter: "true")
                        let worker = EventDeliveryWorker(
                            client: database, endpoints: [endpoint], configuration: BridgeSides.quick(),
                            logger: BridgeSides.logger)
                        let running = Task { _ = try? await worker.run() }
                        try await Workload(client: us, prefix: "u", twins: 20).run()
                        let deadline = ContinuousClock.now + .seconds(90)
                        var report = try await GraphVerify(
                            source: GraphReader(client: us), target: GraphReader(client: target),
                            progress: MigrationProgress(quiet: true)
                        ).run()
                        while !report.isClean && ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(500))
                            report = try await GraphVerify(
                                source: GraphReader(client: us), target: GraphReader(client: target),
                                progress: MigrationProgress(quiet: true)
                            ).run()
                        }
                        running.cancel()
                        await running.value
                        #expect(report.isClean, "\(report.lines.prefix(5))")
                        #expect(await proxy.throttled > 100)
                    }
                }
            }
        }
    }
}
