import ADTWire
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import PostgresNIO
import Testing
import TwinTestSupport

/// `twins migrate copy` and `verify` between two gateways: "Azure" over HTTPS with JWT auth
/// (the development issuer's client secret), "us" over plain HTTP.
@Suite(
    .serialized,
    .timeLimit(.minutes(8)),
    .enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)),
    .enabled(if: TwinsProcess.executable != nil, "needs the built twins executable: run scripts/test.sh"))
struct MigrateCopyTests {
    typealias H = MigrationHarness

    /// The source's credential, as the development issuer's client secret.
    static func sourceEnvironment(_ source: LiveGateway.Endpoint) -> [String: String] {
        [
            "SRC_TENANT_ID": "dev", "SRC_CLIENT_ID": "owner-app", "SRC_CLIENT_SECRET": "owner-secret",
            "SRC_AUTHORITY_HOST": source.authorityHost,
        ]
    }

    static func from(_ source: LiveGateway.Endpoint) -> [String] {
        ["--from", source.url, "--from-auth", "client-secret-env:SRC", "--from-ca-file", source.caFile ?? ""]
    }

    @Test func aLargeGraphCopiedKilledAndResumedEndsIdenticalWithNoWriteTwice() async throws {
        let twins = 20_000
        let rec = H.realEstateCore()
        if rec.isEmpty { print("RealEstateCore fixtures not found beside the clone: copying the generated graph only") }
        try await LiveGateway.withMigratedDatabase { sourceDB in
            try await H.fill(sourceDB, twins: twins, extraModels: rec)
            try await LiveGateway.secured(on: sourceDB) { source in
                try await LiveGateway.withMigratedDatabase { targetDB in
                    try await LiveGateway.serve(database: targetDB) { target in
                        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                            "migrate-\(UUID().uuidString)")
                        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                        defer { try? FileManager.default.removeItem(at: folder) }
                        let state = folder.appendingPathComponent("copy.state").path
                        let arguments =
                            ["migrate", "copy"] + Self.from(source) + [
                                "--to", target.url, "--to-auth", "none", "--resume", state, "--concurrency", "16",
                            ]
                        // Killed once a third of the twins are over.
                        let first = try H.Command(arguments, environment: Self.sourceEnvironment(source))
                        let deadline = ContinuousClock.now + .seconds(240)
                        while try await H.count(targetDB, "twins") < twins / 3 {
                            guard first.process.isRunning, ContinuousClock.now < deadline else { break }
                            try await Task.sleep(for: .milliseconds(10))
                        }
                        try await first.kill9()
                        let atKill = try await H.etags(targetDB)
                        #expect(atKill.count < twins * 4, "the copy ended before the kill")
                        #expect(FileManager.default.fileExists(atPath: state))

                        let second = try await H.run(arguments, environment: Self.sourceEnvironment(source))
                        #expect(second.status == 0, "\(second.error)")
                        #expect(second.output.contains("copied:"), "\(second.output)")
                        // Nothing written before the kill was written again: same ETags.
                        let after = try await H.etags(targetDB)
                        let rewritten = atKill.filter { after[$0.key] != $0.value }
                        #expect(rewritten.isEmpty, "\(rewritten.count) items written twice")
                        #expect(try await H.count(targetDB, "twins") == twins)
                        #expect(try await H.count(targetDB, "relationships") == 3 * twins)
                        #expect(try await H.count(targetDB, "models") == 4 + rec.count)
                        let old = try await targetDB.query(
                            "SELECT decommissioned FROM models WHERE id = 'dtmi:mig:Old;1'", logger: H.logger)
                        for try await flag in old.decode(Bool.self) { #expect(flag) }

                        let verify = ["migrate", "verify"] + Self.from(source) + ["--to", target.url, "--quiet"]
                        var check = try await H.run(verify, environment: Self.sourceEnvironment(source))
                        #expect(check.status == 0, "\(check.output)\(check.error)")
                        #expect(check.output.contains("verify: no difference"), "\(check.output)")

                        // One changed property, one missing relationship, one extra twin: each reported.
                        let api = try DigitalTwinsClient(endpoint: target.url)
                        try await api.updateTwin(id: "room-5", patch: [.replace("/temperature", 99)])
                        try await api.deleteRelationship(sourceID: "room-9", relationshipID: "b")
                        _ = try await api.createOrReplaceTwin(
                            id: "stray",
                            try JSONParser.parse(#"{"$metadata":{"$model":"dtmi:mig:Space;1"}}"#).objectValue!)
                        check = try await H.run(verify, environment: Self.sourceEnvironment(source))
                        #expect(check.status == 1)
                        let lines = check.output.split(separator: "\n").map(String.init)
                        #expect(
                            lines.contains { $0.hasPrefix("different: twin room-5: temperature: 5.5 → 99") }, "\(lines)"
                        )
                        #expect(lines.contains("missing: relationship room-9/b is not on the target"), "\(lines)")
                        #expect(lines.contains("extra: twin stray is only on the target"), "\(lines)")
                        #expect(lines.last?.hasPrefix("verify: 1 missing, 1 extra, 1 different") == true, "\(lines)")
                    }
                }
            }
        }
    }
}
