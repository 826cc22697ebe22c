import Testing

@testable import DeviceLifecycle

@Suite struct HubPolicyTests {
    let hubs = ["hub-a.azure-devices.net", "hub-b.azure-devices.net", "hub-c.azure-devices.net"]

    @Test func fnv1aMatchesPublishedVectors() {
        #expect(HubPolicy.fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
        #expect(HubPolicy.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(HubPolicy.fnv1a64(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
    }

    @Test func firstIsTheFirstLinkedHub() {
        #expect(HubPolicy.first.selectHub(for: "x", among: hubs) == hubs[0])
        #expect(HubPolicy.first.selectHub(for: "x", among: []) == nil)
        #expect(HubPolicy.hash.selectHub(for: "x", among: []) == nil)
    }

    @Test func hashIsStableOrderIndependentAndCaseInsensitive() {
        let chosen = HubPolicy.hash.selectHub(for: "thermostat-67", among: hubs)
        #expect(HubPolicy.hash.selectHub(for: "thermostat-67", among: hubs.reversed()) == chosen)
        #expect(HubPolicy.hash.selectHub(for: "THERMOSTAT-67", among: hubs) == chosen)
        #expect(HubPolicy.hash.selectHub(for: "thermostat-67", among: hubs) == chosen)
    }

    @Test func hashSpreadsEvenly() {
        var counts: [String: Int] = [:]
        for i in 0..<3000 {
            counts[HubPolicy.hash.selectHub(for: "device-\(i)", among: hubs)!, default: 0] += 1
        }
        #expect(counts.count == 3)
        for (_, n) in counts { #expect((850...1150).contains(n), "\(counts)") }
    }

    @Test func addingAHubMovesOnlyDevicesToTheNewHub() {
        let more = hubs + ["hub-d.azure-devices.net"]
        var moved = 0
        for i in 0..<2000 {
            let id = "device-\(i)"
            let before = HubPolicy.hash.selectHub(for: id, among: hubs)!
            let after = HubPolicy.hash.selectHub(for: id, among: more)!
            if before != after {
                moved += 1
                #expect(after == "hub-d.azure-devices.net")
            }
        }
        #expect((350...650).contains(moved), "\(moved) of 2000 moved")
    }

    @Test func mapUsesLongestPrefixCaseInsensitively() {
        let policy = HubPolicy.map(
            [
                "thermo": "hub-a.azure-devices.net", "thermostat-6": "hub-b.azure-devices.net",
                "Thermostat-67": "HUB-C.azure-devices.net",
            ],
            fallback: .first)
        #expect(policy.selectHub(for: "thermostat-67", among: hubs) == "hub-c.azure-devices.net")
        #expect(policy.selectHub(for: "thermostat-68", among: hubs) == "hub-b.azure-devices.net")
        #expect(policy.selectHub(for: "THERMOMETER-1", among: hubs) == "hub-a.azure-devices.net")
    }

    @Test func mapFallsBackForUnknownDevicesAndUnlinkedHubs() {
        let policy = HubPolicy.map(["d1": "not-linked.azure-devices.net"], fallback: .hash)
        #expect(policy.selectHub(for: "d1", among: hubs) == HubPolicy.hash.selectHub(for: "d1", among: hubs))
        #expect(policy.selectHub(for: "zzz", among: hubs) == HubPolicy.hash.selectHub(for: "zzz", among: hubs))
    }

    @Test func namesParse() {
        #expect(HubPolicy(name: "first") == .first)
        #expect(HubPolicy(name: "HASH") == .hash)
        #expect(HubPolicy(name: "random") == nil)
    }
}
