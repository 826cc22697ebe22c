import ADTWire
import DTDL

/// The names a DTDL interface declares, with everything inherited through `extends`: what the
/// functions need to know to tell a twin Property from Telemetry.
///
/// This reads the interface JSON as ADT serves it (`contents` entries with `@type` and `name`);
/// it does not validate the model. Schemas are not looked at: ADT validates values itself when
/// the patch arrives.
public struct ModelContents: Sendable, Hashable {
    /// What a name is declared as.
    public enum Kind: String, Sendable, Hashable {
        /// A Property: twin state, patched by *ingest*.
        case property = "Property"
        /// Telemetry: published as an event, never stored on the twin.
        case telemetry = "Telemetry"
        /// A Component: a nested object of the twin.
        case component = "Component"
        /// A Relationship to another twin.
        case relationship = "Relationship"
        /// A Command (not supported by ADT; recognised so it is never taken for data).
        case command = "Command"
    }

    /// The model's DTMI.
    public var id: String
    /// Every declared name (own and inherited) with its kind. When an interface and a base
    /// declare the same name (invalid DTDL), the interface's own declaration wins.
    public var declarations: [String: Kind]
    /// The bases reached through `extends`, transitively, in discovery order.
    public var bases: [String]

    /// Contents with the given declarations.
    public init(id: String, declarations: [String: Kind], bases: [String] = []) {
        self.id = id
        self.declarations = declarations
        self.bases = bases
    }

    /// The declarations of one interface on its own, without its bases.
    public init(interface: JSONObject) {
        var declarations: [String: Kind] = [:]
        for element in interface["contents"]?.arrayValue ?? [] {
            guard let name = element["name"]?.stringValue, let kind = Self.kind(of: element) else { continue }
            if declarations[name] == nil { declarations[name] = kind }
        }
        self.init(id: interface["@id"]?.stringValue ?? "", declarations: declarations)
    }

    /// What `name` is declared as, or `nil` when the model does not declare it.
    public func kind(of name: String) -> Kind? { declarations[name] }

    /// The declared names of one kind.
    public func names(_ kind: Kind) -> Set<String> {
        Set(declarations.lazy.filter { $0.value == kind }.map(\.key))
    }

    /// The content kind of a `contents` element: its `@type` (a string or an array holding
    /// the class plus semantic types), by short name or DTDL class IRI.
    static func kind(of element: JSONValue) -> Kind? {
        let types: [String]
        switch element["@type"] {
        case .string(let t): types = [t]
        case .array(let a): types = a.compactMap(\.stringValue)
        default: return nil
        }
        for t in types {
            var short = t
            if t.hasPrefix("dtmi:dtdl:class:") {
                short = String(t.dropFirst("dtmi:dtdl:class:".count).prefix { $0 != ";" })
            }
            if let kind = Kind(rawValue: short) { return kind }
        }
        return nil
    }

    /// Fetches `id` and its bases from the service and merges their declarations.
    ///
    /// - Throws: ``ServiceFailure`` 404 `ModelNotFound` naming the missing model when `id` or
    ///   any base is not in the service, and whatever the service throws.
    public static func resolve(_ id: String, using service: some DigitalTwinsService, maxModels: Int = 64) async throws
        -> ModelContents
    {
        var declarations: [String: Kind] = [:]
        var bases: [String] = []
        var visited: Set<String> = []
        // Depth-first; each entry is an interface id to fetch or an inline interface definition.
        var pending: [(reference: JSONValue, extendedBy: String?)] = [(.string(id), nil)]
        while let (reference, extendedBy) = pending.popLast() {
            let interface: JSONObject
            switch reference {
            case .string(let modelID):
                guard visited.insert(modelID).inserted else { continue }
                guard visited.count <= maxModels else {
                    throw ServiceFailure(
                        status: 400, code: .validationFailed,
                        message: "model \(id) extends more than \(maxModels) interfaces")
                }
                guard let fetched = try await service.model(id: modelID) else {
                    let why = extendedBy.map { " (extended by \($0))" } ?? ""
                    throw ServiceFailure(
                        status: 404, code: .modelNotFound,
                        message: "model \(modelID)\(why) is not in the Digital Twins instance")
                }
                interface = fetched
                if modelID != id { bases.append(modelID) }
            case .object(let inline):
                interface = inline
                if let inlineID = inline["@id"]?.stringValue {
                    guard visited.insert(inlineID).inserted else { continue }
                    bases.append(inlineID)
                }
            default:
                continue
            }
            for (name, kind) in ModelContents(interface: interface).declarations where declarations[name] == nil {
                declarations[name] = kind
            }
            let owner = interface["@id"]?.stringValue ?? extendedBy ?? id
            switch interface["extends"] {
            case .some(.array(let list)): pending.append(contentsOf: list.reversed().map { ($0, owner) })
            case .some(let single): pending.append((single, owner))
            case .none: break
            }
        }
        return ModelContents(id: id, declarations: declarations, bases: bases)
    }
}

/// A small time-bounded cache of resolved models, shared by concurrent function calls.
///
/// ADT models are immutable under their id, but an operator may delete one and upload another
/// under the same id, so entries expire. Misses are not coalesced: two concurrent misses both
/// fetch, which is harmless.
public actor ModelCache {
    private var entries: [String: (contents: ModelContents, expires: ContinuousClock.Instant)] = [:]
    private let timeToLive: Duration
    private let capacity: Int

    /// A cache whose entries live `timeToLive` (zero disables caching), holding at most
    /// `capacity` models (the cache is simply emptied when full).
    public init(timeToLive: Duration = .seconds(300), capacity: Int = 1024) {
        self.timeToLive = timeToLive
        self.capacity = max(1, capacity)
    }

    /// The resolved contents of model `id`, from the cache or the service
    /// (see ``ModelContents/resolve(_:using:maxModels:)`` for the errors).
    public func contents(of id: String, using service: some DigitalTwinsService) async throws -> ModelContents {
        let now = ContinuousClock.now
        if let entry = entries[id], entry.expires > now { return entry.contents }
        let contents = try await ModelContents.resolve(id, using: service)
        if timeToLive > .zero {
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[id] = (contents, ContinuousClock.now.advanced(by: timeToLive))
        }
        return contents
    }

    /// Forgets every entry.
    public func removeAll() { entries.removeAll() }
}
