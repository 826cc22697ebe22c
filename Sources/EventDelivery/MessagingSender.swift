import ADTWire
import Crypto
import DigitalTwinsClient
import EventRoutes
import Foundation
import HTTPTransport

/// Sends notifications to an Event Hubs event hub or a Service Bus queue or topic through their
/// HTTPS send API, as a batch (`application/vnd.microsoft.servicebus.json`): each message's body is
/// the notification's data, its CloudEvents attributes are application properties
/// `cloudEvents:<name>` (CloudEvents' AMQP binding, as ADT sends them), its content type
/// `application/json`, its message id the notification's id; on Event Hubs the twin id is the
/// partition key, so one twin's notifications stay in order in the hub.
///
/// Authentication: a shared access signature made from the connection string's policy (renewed
/// before it expires), or an Azure AD token.
struct MessagingSender: EventSender {
    let entity: EndpointTarget.MessagingEntity
    let http: HTTPSending
    let credential: (any TokenCredential)?
    let signatures = SignatureCache()

    init(entity: EndpointTarget.MessagingEntity, http: HTTPSending) {
        self.entity = entity
        self.http = http
        credential = entity.credential.map { AzureADCredential.make($0, transport: http.transport) }
    }

    var maxBatchSize: Int { entity.maxBatchSize }

    /// Event Hubs: `POST …/<hub>/messages?timeout=60&api-version=2014-01`; Service Bus:
    /// `POST …/<queue or topic>/messages`.
    var url: String {
        let base = "\(entity.baseURL)/\(entity.entityPath)/messages"
        return entity.service == .eventhubs ? base + "?timeout=60&api-version=2014-01" : base
    }

    func send(_ events: [PendingEvent]) async -> String? {
        var headers: HTTPHeaders = ["Content-Type": "application/vnd.microsoft.servicebus.json"]
        if let credential {
            do {
                headers["Authorization"] = "Bearer " + (try await credential.token(scopes: [entity.scope])).token
            } catch {
                return "no Azure AD token for \(entity.namespaceHost): \(error)"
            }
        } else if let keyName = entity.keyName, let key = entity.key {
            headers["Authorization"] = await signatures.token(resource: entity.resourceURI, keyName: keyName, key: key)
        }
        let body = jsonArray(events.map { JSONWriter.bytes(message(for: $0.object)) })
        return await http.post(url, headers: headers, body: body)
    }

    /// One message of the batch.
    func message(for event: JSONObject) -> JSONValue {
        var properties = JSONObject()
        for (name, value) in NotificationFormat.applicationProperties(event) { properties[name] = .string(value) }
        var broker = JSONObject()
        broker["MessageId"] = event["id"] ?? .null
        broker["ContentType"] = "application/json"
        if entity.service == .eventhubs { broker["PartitionKey"] = .string(NotificationFormat.twinID(of: event)) }
        return [
            "Body": .string(JSONWriter.string(event["data"] ?? .null)),
            "UserProperties": .object(properties),
            "BrokerProperties": .object(broker),
        ]
    }
}

/// Shared access signatures for Event Hubs and Service Bus, made once an hour.
actor SignatureCache {
    /// How long a signature is valid, and how long before its end a new one is made.
    static let lifetime: Int64 = 3600
    static let renewBefore: Int64 = 300

    private var current: (token: String, expiry: Int64)?

    func token(resource: String, keyName: String, key: String) -> String {
        let now = Int64(Date().timeIntervalSince1970)
        if let current, current.expiry - Self.renewBefore > now { return current.token }
        let expiry = now + Self.lifetime
        let token = Self.signature(resource: resource, keyName: keyName, key: key, expiry: expiry)
        current = (token, expiry)
        return token
    }

    /// `SharedAccessSignature sr=<encoded URI>&sig=<encoded signature>&se=<expiry>&skn=<policy>`,
    /// the signature `base64(HMAC-SHA256(key as UTF-8, "<encoded URI>\n<expiry>"))`: unlike IoT
    /// Hub's keys, Service Bus and Event Hubs sign with the key's text, not its decoded bytes.
    static func signature(resource: String, keyName: String, key: String, expiry: Int64) -> String {
        let encoded = encode(resource)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(encoded)\n\(expiry)".utf8), using: SymmetricKey(data: Array(key.utf8)))
        let signature = Data(mac).base64EncodedString()
        return "SharedAccessSignature sr=\(encoded)&sig=\(encode(signature))&se=\(expiry)&skn=\(encode(keyName))"
    }

    /// Percent-encoding of everything but RFC 3986's unreserved characters.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded
            }
        }
        return out
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
