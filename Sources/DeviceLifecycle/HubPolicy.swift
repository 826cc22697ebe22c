/// How the allocation function picks the IoT hub for a device among the hubs DPS offers
/// (`linkedHubs`). Whatever the policy, the answer is always one of those hubs.
public indirect enum HubPolicy: Sendable, Hashable {
    /// The first linked hub (the sample's behaviour).
    case first
    /// An even, stable spread: rendezvous (highest-random-weight) hashing of the registration
    /// id, lower-cased (DPS registration ids are case-insensitive), against each hub's host
    /// name, with 64-bit FNV-1a over UTF-8 and a final bit mix. The same device always lands on
    /// the same hub whatever order DPS lists the hubs in, and adding or removing a hub only
    /// moves the devices that must move (about 1/n of them). Swift's `Hasher` is not used: it
    /// is seeded randomly per process.
    case hash
    /// Explicit assignments: keys are registration ids or registration-id prefixes (compared
    /// case-insensitively; the longest matching key wins, so an exact id beats any prefix),
    /// values are hub host names. A device with no matching key, or whose mapped hub is not
    /// among the linked hubs, gets the `fallback` policy's choice.
    case map([String: String], fallback: HubPolicy)

    /// A policy from its configuration name: `first` or `hash` (`map` needs its table, so it
    /// is built in code or from a configuration file).
    public init?(name: String) {
        switch name.lowercased() {
        case "first": self = .first
        case "hash": self = .hash
        default: return nil
        }
    }

    /// The hub for `registrationID` among `linkedHubs` (spelled as in `linkedHubs`), or `nil`
    /// when `linkedHubs` is empty.
    public func selectHub(for registrationID: String, among linkedHubs: [String]) -> String? {
        guard !linkedHubs.isEmpty else { return nil }
        switch self {
        case .first:
            return linkedHubs[0]
        case .hash:
            return Self.rendezvous(registrationID, linkedHubs)
        case .map(let table, let fallback):
            let id = registrationID.lowercased()
            var best: (keyLength: Int, hub: String)?
            for (key, hub) in table where id.hasPrefix(key.lowercased()) {
                let length = key.count
                if best == nil || length > best!.keyLength || (length == best!.keyLength && hub < best!.hub) {
                    best = (length, hub)
                }
            }
            if let mapped = best?.hub, let linked = linkedHubs.first(where: { $0.lowercased() == mapped.lowercased() })
            {
                return linked
            }
            return fallback.selectHub(for: registrationID, among: linkedHubs)
        }
    }

    /// Highest-random-weight choice; ties (practically impossible) go to the smaller name.
    static func rendezvous(_ registrationID: String, _ hubs: [String]) -> String {
        let id = Array(registrationID.lowercased().utf8)
        var best: (score: UInt64, hub: String)?
        for hub in hubs {
            let score = weight(id: id, hub: hub)
            if best == nil || score > best!.score || (score == best!.score && hub.lowercased() < best!.hub.lowercased())
            {
                best = (score, hub)
            }
        }
        return best!.hub
    }

    /// The weight of `hub` for a device: FNV-1a 64 of `id ‖ 0x00 ‖ lowercased hub`, then the
    /// murmur3 finaliser so that ids differing in their last bytes still spread evenly.
    static func weight(id: [UInt8], hub: String) -> UInt64 {
        var h = fnv1a64(id)
        h = fnv1a64([0], seed: h)
        h = fnv1a64(Array(hub.lowercased().utf8), seed: h)
        return mix64(h)
    }

    /// 64-bit FNV-1a over `bytes`, continuing from `seed` (the offset basis by default).
    static func fnv1a64(_ bytes: [UInt8], seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// The murmur3 64-bit finaliser.
    static func mix64(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}
