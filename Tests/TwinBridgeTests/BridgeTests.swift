import ADTWire
import DigitalTwinsClient
import Foundation
import GatewayTestSupport
import Testing
import TwinBridge
import TwinTestSupport

/// Bridge mode between two real gateways (see ``BridgeSides``): each direction alone, both at
/// once, and the same property written on both sides.
@Suite(.enabled(if: TestDatabase.available, Comment(rawValue: TestDatabase.skipMessage)), .timeLimit(.minutes(5)))
struct BridgeTests {
    /// On the receiving side, each twin's `temperature` updates arrive counting up: the changes
    /// of one twin were applied in the order they were made.
    static func expectOrdered(_ notifications: [JSONObject], side: String) {
        var last: [String: Double] = [:]
        var disorders: [String] = []
        for event in notifications where event["type"]?.stringValue == "Microsoft.DigitalTwins.Twin.Update" {
            let twin = event["subject"]?.stringValue ?? ""
            for op in event["data"]?["patch"]?.arrayValue ?? [] where op["path"]?.stringValue == "/temperature" {
                guard let value = op["value"]?.numberValue else { continue }
                if let previous = last[twin], value < previous {
                    disorders.append("\(twin): \(previous) then \(value)")
                }
                last[twin] = value
            }
        }
        #expect(disorders.isEmpty, "\(side): \(disorders.prefix(5))")
        #expect(!last.isEmpty, "\(side) saw no temperature updates")
    }

    @Test func outAloneConvergesInOrder() async throws {
        try await BridgeSides.run(out: true, in: false) { sides in
            let writes = try await Workload(client: sides.us, prefix: "u", twins: 100).run()
            #expect(writes >= 1900)
            try await sides.drain()
            let report = try await sides.verify()
            #expect(report.isClean, "\(report.lines.prefix(10))")
            #expect(report.compared["twins"] == 90)
            Self.expectOrdered(await sides.notifications("azure"), side: "Azure")
            // The models went over with the first twin.
            #expect(try await sides.azure.getModel(id: "dtmi:bridge:Room;1").id == "dtmi:bridge:Room;1")
            let stats = try await sides.outStatistics()
            #expect(stats.conflicts == 0)
            #expect(stats.applied >= 1900)
        }
    }

    @Test func inAloneConvergesInOrder() async throws {
        try await BridgeSides.run(out: false, in: true) { sides in
            _ = try await sides.azure.createModels(BridgeSides.models)
            let writes = try await Workload(client: sides.azure, prefix: "a", twins: 100).run()
            #expect(writes >= 1900)
            try await sides.drain()
            let report = try await sides.verify()
            #expect(report.isClean, "\(report.lines.prefix(10))")
            #expect(report.compared["twins"] == 90)
            Self.expectOrdered(await sides.notifications("us"), side: "us")
            let stats = sides.inbound.json
            #expect(stats["conflicts"]?.numberValue == 0)
            #expect((stats["applied"]?.numberValue ?? 0) >= 1900)
        }
    }

    @Test func bothWaysConvergeWithoutEchoes() async throws {
        try await BridgeSides.run(out: true, in: true) { sides in
            _ = try await sides.azure.createModels(BridgeSides.models)
            async let ourWrites = Workload(client: sides.us, prefix: "u", twins: 40).run(concurrency: 4)
            async let theirWrites = Workload(client: sides.azure, prefix: "a", twins: 40).run(concurrency: 4)
            let writes = try await ourWrites + theirWrites
            try await sides.drain()
            let report = try await sides.verify()
            #expect(report.isClean, "\(report.lines.prefix(10))")
            #expect(report.compared["twins"] == 72)
            // Each side saw its own writers' changes (unmarked) and at most one bridged write per
            // change of the other side (marked): no change came back. (Fewer when a change was
            // moot by the time it arrived, e.g. a relationship created and deleted meanwhile.)
            // Every notification at its receiver: the counts hold still for a second (under load a
            // delivery may still be on its way after the bridge has drained).
            var counts = (-1, -1)
            for _ in 0..<60 {
                let now = (await sides.notifications("us").count, await sides.notifications("azure").count)
                if now == counts { break }
                counts = now
                try await Task.sleep(for: .seconds(1))
            }
            let ours = await sides.notifications("us")
            let theirs = await sides.notifications("azure")
            let ownOurs = ours.filter { !BridgeMarker.isEcho($0) }.count
            let ownTheirs = theirs.filter { !BridgeMarker.isEcho($0) }.count
            #expect(ownOurs >= writes / 2 && ownTheirs >= writes / 2)
            #expect(ours.count - ownOurs <= ownTheirs, "us: \(ours.count - ownOurs) bridged for \(ownTheirs) changes")
            #expect(
                theirs.count - ownTheirs <= ownOurs, "Azure: \(theirs.count - ownTheirs) bridged for \(ownOurs) changes"
            )
            #expect(ours.count - ownOurs >= ownTheirs * 9 / 10 && theirs.count - ownTheirs >= ownOurs * 9 / 10)
            let out = try await sides.outStatistics()
            #expect(out.echoes > 0)
            #expect(out.conflicts == 0)
        }
    }

    @Test func theLaterWriteWinsPerProperty() async throws {
        try await BridgeSides.run(out: true, in: true) { sides in
            _ = try await sides.azure.createModels(BridgeSides.models)
            var twin = JSONObject()
            twin["$metadata"] = .object(JSONObject([(key: "$model", value: "dtmi:bridge:Room;1")]))
            twin["temperature"] = 0
            twin["name"] = "start"
            twin["thermostat"] = .object(JSONObject([(key: "$metadata", value: .object(JSONObject()))]))
            try await sides.us.createOrReplaceTwin(id: "shared", twin)
            try await sides.drain()
            #expect(try await sides.azure.getTwin(id: "shared").json["name"] == "start")

            // Both sides written while the bridge is stopped: temperature last on ours, name
            // last on Azure's.
            await sides.stopWorkers()
            try await sides.azure.updateTwin(id: "shared", patch: [.replace("/temperature", 1)])
            try await Task.sleep(for: .milliseconds(20))
            try await sides.us.updateTwin(id: "shared", patch: [.replace("/temperature", 2)])
            try await sides.us.updateTwin(id: "shared", patch: [.replace("/name", "ours")])
            try await Task.sleep(for: .milliseconds(20))
            try await sides.azure.updateTwin(id: "shared", patch: [.replace("/name", "theirs")])
            sides.startWorkers()
            try await sides.drain()

            for (name, side) in [("us", sides.us), ("Azure", sides.azure)] {
                let result = try await side.getTwin(id: "shared").json
                let detail =
                    "\(name): \(JSONWriter.string(.object(result))); out \(try await sides.outStatistics()), in \(JSONWriter.string(sides.inbound.json))"
                #expect(result["temperature"]?.numberValue == 2, "\(detail)")
                #expect(result["name"] == "theirs", "\(detail)")
            }
            #expect(try await sides.verify().isClean)
            // Each side dropped the older write once: ours (name) on the way out, theirs
            // (temperature) on the way in.
            #expect(try await sides.outStatistics().conflicts == 1)
            #expect(sides.inbound.json["conflicts"]?.numberValue == 1)
            // Logged in words: which twin, which property, which write won.
            let endpoints = try await sides.us.endpointStatus()["value"]?.arrayValue ?? []
            let out = endpoints.first { $0["name"] == "toAzure" }?["bridge"]?["lastConflict"]?.stringValue ?? ""
            #expect(out.hasPrefix("twin shared: name: the target's own write at"), "\(out)")
            let inbound = sides.inbound.json["lastConflict"]?.stringValue ?? ""
            #expect(inbound.hasPrefix("twin shared: temperature: the target's own write at"), "\(inbound)")
        }
    }

    @Test func aDeletionWinsOverAnUpdate() async throws {
        try await BridgeSides.run(out: true, in: false) { sides in
            var twin = JSONObject()
            twin["$metadata"] = .object(JSONObject([(key: "$model", value: "dtmi:bridge:Room;1")]))
            twin["temperature"] = 0
            twin["thermostat"] = .object(JSONObject([(key: "$metadata", value: .object(JSONObject()))]))
            try await sides.us.createOrReplaceTwin(id: "doomed", twin)
            try await sides.drain()
            try await sides.azure.deleteTwin(id: "doomed")
            try await sides.us.updateTwin(id: "doomed", patch: [.replace("/temperature", 3)])
            try await sides.drain()
            await #expect(throws: ADTError.self) { try await sides.azure.getTwin(id: "doomed") }
            #expect(try await sides.outStatistics().conflicts == 1)
        }
    }
}
