import ADTWire
import DTDL
import Foundation

extension EmulatorConfiguration {
    /// Reads a configuration file (JSON). Every member is optional; unknown members are errors
    /// (they are usually typos). A relative `dps.enrollmentFile` is resolved against the
    /// file's folder.
    ///
    /// ```json
    /// {"serviceKey": "<base64>",
    ///  "dps": {"host": "127.0.0.1", "port": 8081, "idScope": "0ne00000A1B", "linkedHubs": ["myhub.azure-devices.net"],
    ///          "retryAfterSeconds": 1, "webhookTimeoutSeconds": 30, "webhookRetries": 0, "pollIntervalMilliseconds": 200,
    ///          "enrollmentFile": "enrollments.json", "enrollmentGroups": [{…DPS EnrollmentGroup…}]},
    ///  "hub": {"host": "127.0.0.1", "port": 8082,
    ///          "hubs": [{"hostName": "myhub.azure-devices.net", "name": "myhub",
    ///                    "sharedAccessPolicies": [{"keyName": "iothubowner", "primaryKey": "<b64>", "secondaryKey": "<b64>"}],
    ///                    "endpoints": [{"name": "lifecycle", "url": "http://127.0.0.1:7071/api/retire",
    ///                                   "format": "eventhubs-envelope", "headers": {"x-functions-key": "…"},
    ///                                   "maxBatchSize": 1}],
    ///                    "routes": [{"name": "retire", "source": "DeviceLifecycleEvents",
    ///                                "condition": "opType = 'deleteDeviceIdentity'", "endpointNames": ["lifecycle"],
    ///                                "isEnabled": true}],
    ///                    "eventGridTopic": "/SUBSCRIPTIONS/…/IOTHUBS/MYHUB"}]},
    ///  "delivery": {"pollIntervalMilliseconds": 200, "initialBackoffMilliseconds": 500, "maxBackoffSeconds": 60,
    ///               "requestTimeoutSeconds": 30, "batchSize": 32, "retentionSeconds": 3600}}
    /// ```
    ///
    /// - Throws: ``EmulatorConfigurationError`` when the file cannot be read, is not JSON, has
    ///   a member of the wrong type or an unknown one, or is invalid (``validate()``).
    public static func load(path: String) throws(EmulatorConfigurationError) -> EmulatorConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .init("The emulator configuration \(path) cannot be read.")
        }
        let folder = (path as NSString).deletingLastPathComponent
        return try parse(Array(data), relativeTo: folder.isEmpty ? nil : folder)
    }

    /// Reads a configuration from JSON text (see ``load(path:)``).
    ///
    /// - Parameter folder: where a relative `enrollmentFile` is looked for.
    public static func parse(_ bytes: [UInt8], relativeTo folder: String? = nil) throws(EmulatorConfigurationError)
        -> EmulatorConfiguration
    {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw .init("The emulator configuration is not JSON: \(error.description)")
        }
        var top = try Members(root, "the configuration")
        var configuration = EmulatorConfiguration()
        configuration.serviceKey = try top.string("serviceKey")
        if let dps = try top.object("dps") {
            var m = try Members(dps, "dps")
            var c = DPSConfiguration()
            c.host = try m.string("host") ?? c.host
            c.port = try m.int("port") ?? c.port
            c.idScope = try m.string("idScope") ?? c.idScope
            c.linkedHubs = try m.strings("linkedHubs") ?? []
            c.retryAfterSeconds = try m.int("retryAfterSeconds") ?? c.retryAfterSeconds
            c.webhookTimeout = try m.int("webhookTimeoutSeconds").map { .seconds($0) } ?? c.webhookTimeout
            c.webhookRetries = try m.int("webhookRetries") ?? c.webhookRetries
            c.pollInterval = try m.int("pollIntervalMilliseconds").map { .milliseconds($0) } ?? c.pollInterval
            if let file = try m.string("enrollmentFile") {
                c.enrollmentFile = file.hasPrefix("/") || folder == nil ? file : folder! + "/" + file
            }
            if let groups = m.take("enrollmentGroups") {
                c.enrollmentGroups = try EnrollmentGroup.parseList(groups, origin: "dps.enrollmentGroups")
            }
            try m.finish()
            configuration.dps = c
        }
        if let hub = try top.object("hub") {
            var m = try Members(hub, "hub")
            var c = HubEmulatorConfiguration()
            c.host = try m.string("host") ?? c.host
            c.port = try m.int("port") ?? c.port
            for (index, item) in (try m.array("hubs") ?? []).enumerated() {
                c.hubs.append(try parseHub(item, "hub.hubs[\(index)]"))
            }
            try m.finish()
            configuration.hub = c
        }
        if let delivery = try top.object("delivery") {
            var m = try Members(delivery, "delivery")
            var c = DeliveryConfiguration()
            c.pollInterval = try m.int("pollIntervalMilliseconds").map { .milliseconds($0) } ?? c.pollInterval
            c.initialBackoff = try m.int("initialBackoffMilliseconds").map { .milliseconds($0) } ?? c.initialBackoff
            c.maxBackoff = try m.int("maxBackoffSeconds").map { .seconds($0) } ?? c.maxBackoff
            c.requestTimeout = try m.int("requestTimeoutSeconds").map { .seconds($0) } ?? c.requestTimeout
            c.batchSize = max(1, try m.int("batchSize") ?? c.batchSize)
            c.retention = try m.int("retentionSeconds").map { .seconds($0) } ?? c.retention
            try m.finish()
            configuration.delivery = c
        }
        try top.finish()
        try configuration.validate()
        return configuration
    }

    static func parseHub(_ value: JSONValue, _ path: String) throws(EmulatorConfigurationError) -> HubConfiguration {
        var m = try Members(value, path)
        guard let hostName = try m.string("hostName") else { throw .init("\(path).hostName is required.") }
        var hub = HubConfiguration(hostName: hostName, name: try m.string("name"))
        if let topic = try m.string("eventGridTopic") { hub.eventGridTopic = topic }
        for (i, item) in (try m.array("sharedAccessPolicies") ?? []).enumerated() {
            var p = try Members(item, "\(path).sharedAccessPolicies[\(i)]")
            guard let name = try p.string("keyName"), let key = try p.string("primaryKey") else {
                throw .init("\(path).sharedAccessPolicies[\(i)] needs keyName and primaryKey.")
            }
            hub.sharedAccessPolicies.append(
                .init(keyName: name, primaryKey: key, secondaryKey: try p.string("secondaryKey")))
            _ = p.take("rights")
            try p.finish()
        }
        for (i, item) in (try m.array("endpoints") ?? []).enumerated() {
            let where_ = "\(path).endpoints[\(i)]"
            var e = try Members(item, where_)
            guard let name = try e.string("name"), let url = try e.string("url") else {
                throw .init("\(where_) needs name and url.")
            }
            let formatText = try e.string("format") ?? RouteEndpoint.Format.eventHubsEnvelope.rawValue
            guard let format = RouteEndpoint.Format(rawValue: formatText.lowercased()) else {
                throw .init("\(where_).format must be eventhubs-envelope or eventgrid, not \(formatText).")
            }
            var headers: [String: String] = [:]
            if let object = try e.object("headers") {
                for (key, value) in object.objectValue ?? JSONObject() {
                    guard let text = value.stringValue else {
                        throw .init("\(where_).headers.\(key) must be a string.")
                    }
                    headers[key] = text
                }
            }
            let maxBatchSize = try e.int("maxBatchSize") ?? 1
            try e.finish()
            hub.endpoints.append(
                RouteEndpoint(name: name, url: url, format: format, headers: headers, maxBatchSize: maxBatchSize))
        }
        for (i, item) in (try m.array("routes") ?? []).enumerated() {
            let where_ = "\(path).routes[\(i)]"
            var r = try Members(item, where_)
            guard let name = try r.string("name"), let sourceText = try r.string("source") else {
                throw .init("\(where_) needs name and source.")
            }
            guard let source = RoutingSource(name: sourceText) else {
                throw .init("\(where_).source must be DeviceMessages, DeviceLifecycleEvents or TwinChangeEvents.")
            }
            let endpoints = try r.strings("endpointNames") ?? []
            hub.routes.append(
                MessageRoute(
                    name: name, source: source, condition: try r.string("condition") ?? "true",
                    endpointNames: endpoints,
                    isEnabled: try r.bool("isEnabled") ?? true))
            try r.finish()
        }
        try m.finish()
        return hub
    }
}

/// Reads an object's members by name, remembering which were read, so that leftovers (typos)
/// can be reported.
private struct Members {
    var object: JSONObject
    let path: String
    var used = Set<String>()

    init(_ value: JSONValue, _ path: String) throws(EmulatorConfigurationError) {
        guard let object = value.objectValue else { throw .init("\(path) must be a JSON object.") }
        self.object = object
        self.path = path
    }

    mutating func take(_ name: String) -> JSONValue? {
        used.insert(name)
        guard let value = object[name], !value.isNull else { return nil }
        return value
    }

    mutating func string(_ name: String) throws(EmulatorConfigurationError) -> String? {
        guard let value = take(name) else { return nil }
        guard let s = value.stringValue else { throw .init("\(path).\(name) must be a string.") }
        return s
    }

    mutating func int(_ name: String) throws(EmulatorConfigurationError) -> Int? {
        guard let value = take(name) else { return nil }
        guard case .integer(let i) = value, i >= 0, i <= Int64(Int32.max) else {
            throw .init("\(path).\(name) must be a non-negative integer.")
        }
        return Int(i)
    }

    mutating func bool(_ name: String) throws(EmulatorConfigurationError) -> Bool? {
        guard let value = take(name) else { return nil }
        guard let b = value.boolValue else { throw .init("\(path).\(name) must be true or false.") }
        return b
    }

    mutating func object(_ name: String) throws(EmulatorConfigurationError) -> JSONValue? {
        guard let value = take(name) else { return nil }
        guard value.objectValue != nil else { throw .init("\(path).\(name) must be an object.") }
        return value
    }

    mutating func array(_ name: String) throws(EmulatorConfigurationError) -> [JSONValue]? {
        guard let value = take(name) else { return nil }
        guard let a = value.arrayValue else { throw .init("\(path).\(name) must be an array.") }
        return a
    }

    mutating func strings(_ name: String) throws(EmulatorConfigurationError) -> [String]? {
        guard let list = try array(name) else { return nil }
        var out: [String] = []
        for item in list {
            guard let s = item.stringValue else { throw .init("\(path).\(name) must be an array of strings.") }
            out.append(s)
        }
        return out
    }

    func finish() throws(EmulatorConfigurationError) {
        let unknown = object.keys.filter { !used.contains($0) }
        guard unknown.isEmpty else {
            throw .init("\(path) has unknown member(s): \(unknown.joined(separator: ", ")).")
        }
    }
}
