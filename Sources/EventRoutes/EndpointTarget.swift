import ADTWire

/// An endpoint's settings, read and checked: where notifications go and how.
///
/// The settings beside `name` and `type` in the endpoints file, per type:
///
/// | type | settings |
/// |---|---|
/// | `webhook` | `url` (required), `schema` (`cloudevents` or `eventgrid`), `maxBatchSize`, `headers`, `validationHandshake` |
/// | `eventgrid` | `topicEndpoint` (required), `accessKey` or `credential`, `schema` (`eventgrid` or `cloudevents`), `maxBatchSize` |
/// | `eventhubs`, `servicebus` | `connectionString` (required), `entityPath` (unless the string has `EntityPath`), `url`, `credential`, `maxBatchSize` |
/// | `mqtt` | `host` (required), `port`, `topic`, `qos`, `clientId`, `username`, `password`, `tls` |
/// | `digitaltwins` | `url` (required), `credential` or `managedIdentity`, `caFile`, `maxBatchSize` |
public enum EndpointTarget: Sendable, Hashable {
    /// An HTTP(S) receiver.
    case webhook(Webhook)
    /// An Azure Event Grid topic.
    case eventGrid(EventGridTopic)
    /// An Event Hubs event hub or a Service Bus queue or topic, through their HTTPS send API.
    case messaging(MessagingEntity)
    /// A topic of an MQTT broker.
    case mqtt(MQTTBroker)
    /// Another ADT-compatible instance, kept in step with this one.
    case digitalTwins(DigitalTwinsInstance)

    /// How events are written in an HTTP body.
    public enum Schema: String, Sendable, Hashable {
        /// CloudEvents 1.0, structured mode (`application/cloudevents+json`, or
        /// `application/cloudevents-batch+json` for a batch).
        case cloudEvents = "cloudevents"
        /// Event Grid's event schema (a JSON array of `{id, eventType, subject, eventTime, data,
        /// dataVersion, metadataVersion}`).
        case eventGrid = "eventgrid"
    }

    /// An Azure AD application's client secret, for Azure's data-plane APIs.
    public struct ClientSecret: Sendable, Hashable {
        /// The directory (tenant) id.
        public var tenantID: String
        /// The application (client) id.
        public var clientID: String
        /// The secret.
        public var clientSecret: String
        /// Azure AD's authority host, or another issuer's (tests point it at loopback).
        public var authorityHost: String?
    }

    /// A webhook.
    public struct Webhook: Sendable, Hashable {
        /// Where events are POSTed.
        public var url: String
        /// The body's schema.
        public var schema: Schema
        /// The most events in one POST; 1 sends one event per POST (CloudEvents' structured mode).
        public var maxBatchSize: Int
        /// Extra headers sent with every POST.
        public var headers: [String: String]
        /// Whether the receiver is first asked to accept deliveries, as Event Grid asks: the
        /// CloudEvents abuse-protection `OPTIONS` request (`WebHook-Request-Origin`), or for the
        /// Event Grid schema a `SubscriptionValidation` event to echo.
        public var validationHandshake: Bool
    }

    /// An Event Grid topic.
    public struct EventGridTopic: Sendable, Hashable {
        /// The topic's endpoint, e.g. `https://<topic>.<region>-1.eventgrid.azure.net/api/events`.
        public var topicEndpoint: String
        /// The topic's access key (`aeg-sas-key`), or `nil` with a credential.
        public var accessKey: String?
        /// An Azure AD application, when there is no access key.
        public var credential: ClientSecret?
        /// The topic's input schema.
        public var schema: Schema
        /// The most events in one POST.
        public var maxBatchSize: Int
    }

    /// An Event Hubs event hub or a Service Bus queue or topic.
    public struct MessagingEntity: Sendable, Hashable {
        /// Event Hubs or Service Bus.
        public var service: EventEndpoint.Kind
        /// The namespace's host, e.g. `myspace.servicebus.windows.net`.
        public var namespaceHost: String
        /// The event hub, queue or topic.
        public var entityPath: String
        /// The shared access policy's name and key, or `nil` with a credential.
        public var keyName: String?
        /// The policy's key.
        public var key: String?
        /// An Azure AD application, when there is no key.
        public var credential: ClientSecret?
        /// Where to send instead of `https://<namespaceHost>` (a private endpoint; tests use
        /// loopback). The signature still names the namespace.
        public var baseURL: String
        /// The most messages in one POST.
        public var maxBatchSize: Int

        /// The entity's resource URI, what a shared access signature signs.
        public var resourceURI: String { "https://\(namespaceHost)/\(entityPath)" }

        /// The Azure AD scope of the service.
        public var scope: String {
            service == .eventhubs ? "https://eventhubs.azure.net/.default" : "https://servicebus.azure.net/.default"
        }
    }

    /// An MQTT broker.
    public struct MQTTBroker: Sendable, Hashable {
        /// The broker's host.
        public var host: String
        /// Its port (1883, or 8883 with TLS).
        public var port: Int
        /// The topic template: `{type}`, `{subject}`, `{source}`, `{id}` and `{twin}` are replaced.
        public var topic: String
        /// 0, 1 or 2.
        public var qos: Int
        /// The client id; one per gateway process is made from it.
        public var clientID: String
        /// Credentials, if the broker asks for them.
        public var username: String?
        /// The password.
        public var password: String?
        /// Whether to connect with TLS, and the CA file to trust (`nil`: the system's).
        public var tls: Bool
        /// The CA file for TLS.
        public var caFile: String?
    }

    /// An ADT-compatible instance and how to sign in to it.
    public struct DigitalTwinsInstance: Sendable, Hashable {
        /// Its base URL (`https://<instance>.api.<region>.digitaltwins.azure.net`, or a gateway's).
        public var url: String
        /// An Azure AD application (or the development issuer's client), or `nil`.
        public var credential: ClientSecret?
        /// Sign in with the host's managed identity (the client id of a user-assigned one, or
        /// empty for the system-assigned one); `nil` for not.
        public var managedIdentity: String?
        /// The managed identity endpoint instead of the environment's or IMDS's (tests).
        public var managedIdentityEndpoint: String?
        /// A PEM bundle of CAs to trust instead of the system's.
        public var caFile: String?
        /// The most notifications applied in one delivery (in order, one after another).
        public var maxBatchSize: Int
    }

    /// The target of `endpoint`, from its settings.
    ///
    /// - Throws: ``EndpointConfigurationError`` naming the endpoint and the setting at fault.
    public init(_ endpoint: EventEndpoint) throws(EndpointConfigurationError) {
        var reader = SettingsReader(endpoint: endpoint.name, settings: endpoint.settings)
        switch endpoint.kind {
        case .webhook:
            let url = try reader.url("url", required: true)!
            self = .webhook(
                Webhook(
                    url: url, schema: try reader.schema(default: .cloudEvents),
                    maxBatchSize: try reader.integer("maxBatchSize", in: 1...1000) ?? 1,
                    headers: try reader.headers(),
                    validationHandshake: try reader.boolean("validationHandshake") ?? false))
        case .eventgrid:
            let url = try reader.url("topicEndpoint", required: true)!
            let key = try reader.string("accessKey")
            let credential = try reader.credential()
            guard (key == nil) != (credential == nil) else {
                throw reader.error("give either \"accessKey\" or \"credential\"")
            }
            self = .eventGrid(
                EventGridTopic(
                    topicEndpoint: url, accessKey: key, credential: credential,
                    schema: try reader.schema(default: .eventGrid),
                    maxBatchSize: try reader.integer("maxBatchSize", in: 1...5000) ?? 100))
        case .eventhubs, .servicebus:
            guard let text = try reader.string("connectionString") else {
                throw reader.error("\"connectionString\" is required")
            }
            let parts = ConnectionString(text)
            guard let endpointURL = parts["Endpoint"], let host = Self.host(of: endpointURL) else {
                throw reader.error("the connection string has no Endpoint=sb://<namespace>/")
            }
            guard let entity = try reader.string("entityPath") ?? parts["EntityPath"], !entity.isEmpty else {
                throw reader.error("name the entity: \"entityPath\", or EntityPath= in the connection string")
            }
            let credential = try reader.credential()
            let keyName = parts["SharedAccessKeyName"]
            let key = parts["SharedAccessKey"]
            guard credential != nil || (keyName != nil && key != nil) else {
                throw reader.error(
                    "the connection string needs SharedAccessKeyName= and SharedAccessKey=, or give \"credential\"")
            }
            var base = try reader.url("url", required: false) ?? "https://\(host)"
            while base.hasSuffix("/") { base.removeLast() }
            self = .messaging(
                MessagingEntity(
                    service: endpoint.kind, namespaceHost: host, entityPath: entity, keyName: keyName, key: key,
                    credential: credential, baseURL: base,
                    maxBatchSize: try reader.integer("maxBatchSize", in: 1...1000) ?? 100))
        case .mqtt:
            guard let host = try reader.string("host"), !host.isEmpty else {
                throw reader.error("\"host\" is required")
            }
            let tls = try reader.boolean("tls") ?? false
            self = .mqtt(
                MQTTBroker(
                    host: host, port: try reader.integer("port", in: 1...65535) ?? (tls ? 8883 : 1883),
                    topic: try reader.string("topic") ?? "twins/{type}/{subject}",
                    qos: try reader.integer("qos", in: 0...2) ?? 1,
                    clientID: try reader.string("clientId") ?? "twins-\(endpoint.name)",
                    username: try reader.string("username"), password: try reader.string("password"), tls: tls,
                    caFile: try reader.string("caFile")))
        case .digitaltwins:
            let url = try reader.url("url", required: true)!
            let credential = try reader.credential()
            var identity: String?
            var identityEndpoint: String?
            switch reader.value("managedIdentity") {
            case nil, .bool(false)?: break
            case .bool(true)?: identity = ""
            case .object(let object)?:
                identity = object["clientId"]?.stringValue ?? ""
                identityEndpoint = object["endpoint"]?.stringValue
            default:
                throw reader.error("\"managedIdentity\" must be true or {\"clientId\", \"endpoint\"}")
            }
            guard credential == nil || identity == nil else {
                throw reader.error("give \"credential\" or \"managedIdentity\", not both")
            }
            self = .digitalTwins(
                DigitalTwinsInstance(
                    url: url, credential: credential, managedIdentity: identity,
                    managedIdentityEndpoint: identityEndpoint, caFile: try reader.string("caFile"),
                    maxBatchSize: try reader.integer("maxBatchSize", in: 1...1000) ?? 100))
        }
        try reader.finish()
    }

    /// The host of `sb://host/` or `https://host/`.
    static func host(of url: String) -> String? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let host = rest.prefix { $0 != "/" }
        return host.isEmpty ? nil : String(host)
    }
}

/// `Key=Value;Key=Value` (Azure's connection strings); a value may contain `=`.
struct ConnectionString {
    private var values: [String: String] = [:]

    init(_ text: String) {
        for part in text.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = part[..<equals].trimmingSpaces()
            values[key.lowercased()] = String(part[part.index(after: equals)...]).trimmingSpaces()
        }
    }

    subscript(key: String) -> String? { values[key.lowercased()] }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}

/// Reads an endpoint's settings, remembering which it read so that an unknown one is refused.
struct SettingsReader {
    let endpoint: String
    let settings: JSONObject
    private var read: Set<String> = []

    init(endpoint: String, settings: JSONObject) {
        self.endpoint = endpoint
        self.settings = settings
    }

    func error(_ message: String) -> EndpointConfigurationError {
        EndpointConfigurationError("endpoint \(endpoint): \(message)")
    }

    mutating func value(_ name: String) -> JSONValue? {
        read.insert(name)
        if case .null? = settings[name] { return nil }
        return settings[name]
    }

    mutating func string(_ name: String) throws(EndpointConfigurationError) -> String? {
        guard let value = value(name) else { return nil }
        guard case .string(let text) = value else { throw error("\"\(name)\" must be a string") }
        return text
    }

    mutating func url(_ name: String, required: Bool) throws(EndpointConfigurationError) -> String? {
        guard let text = try string(name) else {
            if required { throw error("\"\(name)\" is required") }
            return nil
        }
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), text.count > 8 else {
            throw error("\"\(name)\" must be an http:// or https:// URL")
        }
        return text
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(EndpointConfigurationError) -> Int? {
        guard let value = value(name) else { return nil }
        guard case .integer(let number) = value, let integer = Int(exactly: number), range.contains(integer) else {
            throw error("\"\(name)\" must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    mutating func boolean(_ name: String) throws(EndpointConfigurationError) -> Bool? {
        guard let value = value(name) else { return nil }
        guard case .bool(let flag) = value else { throw error("\"\(name)\" must be true or false") }
        return flag
    }

    mutating func schema(default fallback: EndpointTarget.Schema) throws(EndpointConfigurationError)
        -> EndpointTarget.Schema
    {
        guard let text = try string("schema") else { return fallback }
        guard let schema = EndpointTarget.Schema(rawValue: text.lowercased()) else {
            throw error("\"schema\" must be \"cloudevents\" or \"eventgrid\"")
        }
        return schema
    }

    mutating func headers() throws(EndpointConfigurationError) -> [String: String] {
        guard let value = value("headers") else { return [:] }
        guard case .object(let object) = value else { throw error("\"headers\" must be an object of strings") }
        var headers: [String: String] = [:]
        for member in object.members {
            guard case .string(let text) = member.value else { throw error("header \(member.key) must be a string") }
            headers[member.key] = text
        }
        return headers
    }

    mutating func credential() throws(EndpointConfigurationError) -> EndpointTarget.ClientSecret? {
        guard let value = value("credential") else { return nil }
        guard case .object(let object) = value,
            case .string(let tenant)? = object["tenantId"], case .string(let client)? = object["clientId"],
            case .string(let secret)? = object["clientSecret"]
        else {
            throw error("\"credential\" must be {\"tenantId\", \"clientId\", \"clientSecret\"[, \"authorityHost\"]}")
        }
        return EndpointTarget.ClientSecret(
            tenantID: tenant, clientID: client, clientSecret: secret,
            authorityHost: object["authorityHost"]?.stringValue)
    }

    /// Refuses a setting that no reader asked for (a typo would otherwise be ignored).
    func finish() throws(EndpointConfigurationError) {
        if let unknown = settings.members.map(\.key).first(where: { !read.contains($0) }) {
            throw error("unknown setting \"\(unknown)\"")
        }
    }
}
