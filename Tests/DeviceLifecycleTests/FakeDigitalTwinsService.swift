import ADTWire
import DTDL
import DeviceLifecycle
import Foundation
import Logging

/// An in-memory Digital Twins service with ADT's conditional-request semantics (412 on a
/// failed `If-None-Match: *` / `If-Match`, 404 for missing twins, 400 `RelationshipsNotDeleted`),
/// a light JSON Patch applier, scripted failures and a call log.
actor FakeDigitalTwinsService: DigitalTwinsService {
    struct Relationship: Hashable {
        var source: String
        var id: String
        var target: String
        var name: String
    }

    struct Telemetry: Hashable {
        var twinID: String
        var payload: JSONObject
        var messageID: String
        var sourceTime: String?
    }

    enum Operation: String, Hashable {
        case getTwin, createTwin, replaceTwin, updateTwin, deleteTwin, relationships, incomingRelationships
        case deleteRelationship, publishTelemetry, model
    }

    private(set) var twins: [String: (twin: JSONObject, etag: String)] = [:]
    private(set) var relationshipStore: [Relationship] = []
    private(set) var models: [String: JSONObject] = [:]
    private(set) var calls: [String] = []
    private(set) var patches: [(id: String, patch: JSONValue, ifMatch: String?)] = []
    private(set) var telemetry: [Telemetry] = []
    private(set) var successfulCreates = 0
    private var scripted: [Operation: [any Error]] = [:]
    private var etagCounter = 0
    private var barrier: (parties: Int, waiting: [CheckedContinuation<Void, Never>])?

    init(models: [JSONObject] = TestModels.all) {
        for m in models { self.models[m["@id"]!.stringValue!] = m }
    }

    // MARK: Test setup

    func put(id: String, _ twin: JSONValue) {
        var t = twin.objectValue!
        t["$dtId"] = .string(id)
        twins[id] = (t, nextETag())
    }

    func addRelationship(source: String, id: String, target: String, name: String = "contains") {
        relationshipStore.append(Relationship(source: source, id: id, target: target, name: name))
    }

    /// The next `times` calls of `operation` throw `error` before doing anything.
    func failNext(_ operation: Operation, with error: any Error, times: Int = 1) {
        scripted[operation, default: []] += Array(repeating: error, count: times)
    }

    /// Whether the last barrier ran out of time before all its parties arrived.
    private(set) var barrierTimedOut = false
    private var barrierGeneration = 0

    /// The next `parties` `getTwin` calls read the twin, then wait until all have arrived, or
    /// until `timeout` passes (then ``barrierTimedOut`` is set and the waiting calls go on), so
    /// that calls made one after the other fail a test instead of hanging it.
    func armGetTwinBarrier(parties: Int, timeout: Duration = .seconds(10)) {
        barrier = (parties, [])
        barrierTimedOut = false
        barrierGeneration += 1
        let generation = barrierGeneration
        Task {
            try? await Task.sleep(for: timeout)
            self.expireBarrier(generation)
        }
    }

    private func expireBarrier(_ generation: Int) {
        guard generation == barrierGeneration, let b = barrier else { return }
        barrier = nil
        barrierTimedOut = true
        for c in b.waiting { c.resume() }
    }

    func twin(_ id: String) -> JSONObject? { twins[id]?.twin }
    func count(_ prefix: String) -> Int { calls.filter { $0.hasPrefix(prefix) }.count }
    var relationshipCount: Int { relationshipStore.count }

    // MARK: DigitalTwinsService

    func getTwin(id: String) async throws -> (twin: JSONObject, etag: String)? {
        calls.append("getTwin(\(id))")
        try takeScripted(.getTwin)
        let result = twins[id]
        if var b = barrier {
            if b.waiting.count + 1 < b.parties {
                await withCheckedContinuation { continuation in
                    b.waiting.append(continuation)
                    barrier = b
                }
            } else {
                barrier = nil
                for c in b.waiting { c.resume() }
            }
        }
        return result.map { entry in
            var t = entry.twin
            t["$etag"] = .string(entry.etag)
            return (t, entry.etag)
        }
    }

    func createTwin(id: String, _ twin: JSONObject, ifNoneMatch: Bool) async throws -> String {
        calls.append("createTwin(\(id), ifNoneMatch: \(ifNoneMatch))")
        try takeScripted(.createTwin)
        if ifNoneMatch, twins[id] != nil { throw ServiceFailure.preconditionFailed() }
        try validate(twin)
        successfulCreates += 1
        var t = twin
        t["$dtId"] = .string(id)
        let etag = nextETag()
        twins[id] = (t, etag)
        return etag
    }

    func replaceTwin(id: String, _ twin: JSONObject, ifMatch: String?) async throws -> String {
        calls.append("replaceTwin(\(id), ifMatch: \(ifMatch ?? "nil"))")
        try takeScripted(.replaceTwin)
        if let ifMatch {
            guard let current = twins[id] else { throw ServiceFailure.twinNotFound(id) }
            guard ifMatch == "*" || current.etag == ifMatch else { throw ServiceFailure.preconditionFailed() }
        }
        try validate(twin)
        var t = twin
        t["$dtId"] = .string(id)
        let etag = nextETag()
        twins[id] = (t, etag)
        return etag
    }

    func updateTwin(id: String, patch: JSONValue, ifMatch: String?) async throws -> String? {
        calls.append("updateTwin(\(id), ifMatch: \(ifMatch ?? "nil"))")
        try takeScripted(.updateTwin)
        guard let current = twins[id] else { throw ServiceFailure.twinNotFound(id) }
        if let ifMatch, ifMatch != "*", ifMatch != current.etag { throw ServiceFailure.preconditionFailed() }
        var document = JSONValue.object(current.twin)
        for op in patch.arrayValue ?? [] {
            try Self.apply(op, to: &document)
        }
        let updated = document.objectValue!
        try validate(updated)
        patches.append((id, patch, ifMatch))
        let etag = nextETag()
        twins[id] = (updated, etag)
        return etag
    }

    func deleteTwin(id: String, ifMatch: String?) async throws {
        calls.append("deleteTwin(\(id), ifMatch: \(ifMatch ?? "nil"))")
        try takeScripted(.deleteTwin)
        guard let current = twins[id] else { throw ServiceFailure.twinNotFound(id) }
        if let ifMatch, ifMatch != "*", ifMatch != current.etag { throw ServiceFailure.preconditionFailed() }
        if relationshipStore.contains(where: { $0.source == id || $0.target == id }) {
            throw ServiceFailure(
                status: 400, code: .relationshipsNotDeleted, message: "Twin \(id) has active relationships.")
        }
        twins[id] = nil
    }

    func relationships(of id: String) async throws -> [RelationshipReference] {
        calls.append("relationships(\(id))")
        try takeScripted(.relationships)
        guard twins[id] != nil else { throw ServiceFailure.twinNotFound(id) }
        return relationshipStore.filter { $0.source == id }.map {
            RelationshipReference(source: $0.source, relationshipID: $0.id)
        }
    }

    func incomingRelationships(of id: String) async throws -> [RelationshipReference] {
        calls.append("incomingRelationships(\(id))")
        try takeScripted(.incomingRelationships)
        guard twins[id] != nil else { throw ServiceFailure.twinNotFound(id) }
        return relationshipStore.filter { $0.target == id }.map {
            RelationshipReference(source: $0.source, relationshipID: $0.id)
        }
    }

    func deleteRelationship(source: String, relationshipID: String) async throws {
        calls.append("deleteRelationship(\(source), \(relationshipID))")
        try takeScripted(.deleteRelationship)
        guard let index = relationshipStore.firstIndex(where: { $0.source == source && $0.id == relationshipID }) else {
            throw ServiceFailure(
                status: 404, code: .relationshipNotFound, message: "no relationship \(source)/\(relationshipID)")
        }
        relationshipStore.remove(at: index)
    }

    func publishTelemetry(id: String, payload: JSONObject, messageID: String, sourceTime: String?) async throws {
        calls.append("publishTelemetry(\(id))")
        try takeScripted(.publishTelemetry)
        guard twins[id] != nil else { throw ServiceFailure.twinNotFound(id) }
        telemetry.append(Telemetry(twinID: id, payload: payload, messageID: messageID, sourceTime: sourceTime))
    }

    func model(id: String) async throws -> JSONObject? {
        calls.append("model(\(id))")
        try takeScripted(.model)
        return models[id]
    }

    // MARK: Internals

    private func nextETag() -> String {
        etagCounter += 1
        return "W/\"etag-\(etagCounter)\""
    }

    private func takeScripted(_ operation: Operation) throws {
        guard var queue = scripted[operation], !queue.isEmpty else { return }
        let error = queue.removeFirst()
        scripted[operation] = queue
        throw error
    }

    /// Every user member must be a declared Property or Component of the twin's model (with
    /// bases); every Component must be present. Models are looked up synchronously here.
    private func validate(_ twin: JSONObject) throws {
        guard let modelID = twin["$metadata"]?["$model"]?.stringValue, models[modelID] != nil else {
            throw ServiceFailure(status: 400, code: .validationFailed, message: "unknown model")
        }
        var declarations: [String: ModelContents.Kind] = [:]
        var pending = [modelID]
        var seen: Set<String> = []
        while let next = pending.popLast() {
            guard seen.insert(next).inserted, let interface = models[next] else { continue }
            for (k, v) in ModelContents(interface: interface).declarations where declarations[k] == nil {
                declarations[k] = v
            }
            switch interface["extends"] {
            case .string(let s)?: pending.append(s)
            case .array(let a)?: pending += a.compactMap(\.stringValue)
            default: break
            }
        }
        for (name, _) in twin where !name.hasPrefix("$") {
            guard let kind = declarations[name], kind == .property || kind == .component else {
                throw ServiceFailure(
                    status: 400, code: .validationFailed, message: "\(name) is not a property of \(modelID)")
            }
        }
        for (name, kind) in declarations where kind == .component && twin[name] == nil {
            throw ServiceFailure(status: 400, code: .validationFailed, message: "component \(name) is missing")
        }
    }

    /// add / replace / remove; intermediate objects under `$metadata` are created as ADT does.
    static func apply(_ op: JSONValue, to document: inout JSONValue) throws {
        guard let kind = op["op"]?.stringValue, let pathText = op["path"]?.stringValue,
            let pointer = JSONPointer(parsing: pathText), !pointer.tokens.isEmpty
        else { throw ServiceFailure(status: 400, code: .jsonPatchInvalid, message: "bad operation") }
        try apply(kind, pointer.tokens[...], op["value"], &document, underMetadata: false)
    }

    private static func apply(
        _ kind: String, _ tokens: ArraySlice<String>, _ value: JSONValue?, _ node: inout JSONValue, underMetadata: Bool
    ) throws {
        guard var object = node.objectValue else {
            throw ServiceFailure(status: 400, code: .jsonPatchInvalid, message: "not an object")
        }
        let key = tokens.first!
        if tokens.count == 1 {
            switch kind {
            case "add":
                object[key] = value!
            case "replace":
                guard object[key] != nil || underMetadata else {
                    throw ServiceFailure(status: 400, code: .jsonPatchInvalid, message: "replace of missing \(key)")
                }
                object[key] = value!
            case "remove":
                guard object[key] != nil else {
                    throw ServiceFailure(status: 400, code: .jsonPatchInvalid, message: "remove of missing \(key)")
                }
                object[key] = nil
            default:
                throw ServiceFailure(status: 400, code: .jsonPatchInvalid, message: "op \(kind)")
            }
        } else {
            let metadata = underMetadata || key == "$metadata"
            var child = object[key] ?? (metadata ? .object(JSONObject()) : .null)
            if child.isNull { throw ServiceFailure(status: 400, code: .jsonPatchInvalid, message: "missing \(key)") }
            try apply(kind, tokens.dropFirst(), value, &child, underMetadata: metadata)
            object[key] = child
        }
        node = .object(object)
    }
}

/// A plain `Error` standing for a transport failure (connection refused).
struct TransportFailure: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

/// A logger that records messages, for asserting what was logged.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String, metadata: String)] = []

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    var all: [(level: Logger.Level, message: String, metadata: String)] { lock.withLock { entries } }
    func contains(_ text: String) -> Bool { all.contains { $0.message.contains(text) || $0.metadata.contains(text) } }

    fileprivate func record(_ level: Logger.Level, _ message: String, _ metadata: String) {
        lock.withLock { entries.append((level, message, metadata)) }
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            recorder.record(event.level, "\(event.message)", meta)
        }
    }
}

extension Logger {
    /// A logger that drops everything.
    static var silent: Logger { Logger(label: "silent") { _ in SwiftLogNoOpLogHandler() } }
}
