import ADTWire

/// A destination for notifications, defined by the operator (`twins serve --endpoints FILE`);
/// routes name it by `name`, as ADT's routes name an endpoint of the instance.
public struct EventEndpoint: Sendable, Hashable {
    /// The kinds of endpoint.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An HTTPS receiver of CloudEvents or Event Grid events.
        case webhook
        /// An Azure Event Grid topic.
        case eventgrid
        /// An Azure Event Hubs event hub.
        case eventhubs
        /// An Azure Service Bus queue or topic.
        case servicebus
        /// A topic of an MQTT broker.
        case mqtt
        /// Another ADT-compatible instance (Azure Digital Twins, or another gateway): each
        /// notification is applied to it as the change it describes (bridge mode).
        case digitaltwins
    }

    /// The name routes refer to.
    public var name: String
    /// What it is.
    public var kind: Kind
    /// The endpoint's own settings as the file gives them (addresses, keys): never echoed.
    public var settings: JSONObject

    /// An endpoint.
    public init(name: String, kind: Kind, settings: JSONObject = JSONObject()) {
        self.name = name
        self.kind = kind
        self.settings = settings
    }

    /// The endpoints of a configuration file: a JSON array of objects with `name` and `type`
    /// (and the type's settings, checked by ``EndpointTarget``), or an object with such an array
    /// under `endpoints`.
    ///
    /// - Throws: ``EndpointConfigurationError`` naming the entry at fault.
    public static func list(parsing text: String) throws(EndpointConfigurationError) -> [EventEndpoint] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(text)
        } catch {
            throw EndpointConfigurationError("the file is not JSON: \(error)")
        }
        let entries: [JSONValue]
        switch document {
        case .array(let items): entries = items
        case .object(let object):
            guard case .array(let items)? = object["endpoints"] else {
                throw EndpointConfigurationError("expected a JSON array of endpoints, or {\"endpoints\": [...]}")
            }
            entries = items
        default:
            throw EndpointConfigurationError("expected a JSON array of endpoints, or {\"endpoints\": [...]}")
        }
        var endpoints: [EventEndpoint] = []
        for (index, entry) in entries.enumerated() {
            guard case .object(var object) = entry else {
                throw EndpointConfigurationError("endpoint \(index) is not a JSON object")
            }
            guard case .string(let name)? = object["name"], !name.isEmpty else {
                throw EndpointConfigurationError("endpoint \(index) has no \"name\" (a non-empty string)")
            }
            guard case .string(let type)? = object["type"], let kind = Kind(rawValue: type) else {
                let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw EndpointConfigurationError("endpoint \(name): \"type\" must be one of \(kinds)")
            }
            guard !endpoints.contains(where: { $0.name == name }) else {
                throw EndpointConfigurationError("endpoint \(name) is defined twice")
            }
            object["name"] = nil
            object["type"] = nil
            let endpoint = EventEndpoint(name: name, kind: kind, settings: object)
            _ = try EndpointTarget(endpoint)
            endpoints.append(endpoint)
        }
        return endpoints
    }
}

/// Why an endpoint configuration cannot be used: one line naming the entry.
public struct EndpointConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message.
    public var description: String

    /// An error with this message.
    public init(_ description: String) { self.description = description }
}
