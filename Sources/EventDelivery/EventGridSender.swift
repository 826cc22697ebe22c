import ADTWire
import DigitalTwinsClient
import EventRoutes
import HTTPTransport

/// Publishes notifications to an Event Grid topic, in the topic's input schema, authenticated by
/// the topic's access key (`aeg-sas-key`) or an Azure AD token for `https://eventgrid.azure.net`.
struct EventGridSender: EventSender {
    static let scope = "https://eventgrid.azure.net/.default"

    let topic: EndpointTarget.EventGridTopic
    let http: HTTPSending
    let credential: (any TokenCredential)?

    init(topic: EndpointTarget.EventGridTopic, http: HTTPSending) {
        self.topic = topic
        self.http = http
        credential = topic.credential.map { AzureADCredential.make($0, transport: http.transport) }
    }

    var maxBatchSize: Int { topic.maxBatchSize }

    /// The publish URL: the topic endpoint with Event Grid's api-version.
    var url: String {
        topic.topicEndpoint.contains("api-version=")
            ? topic.topicEndpoint
            : topic.topicEndpoint + (topic.topicEndpoint.contains("?") ? "&" : "?") + "api-version=2018-01-01"
    }

    func send(_ events: [PendingEvent]) async -> String? {
        var headers = HTTPHeaders()
        if let key = topic.accessKey {
            headers["aeg-sas-key"] = key
        } else if let credential {
            do {
                headers["Authorization"] = "Bearer " + (try await credential.token(scopes: [Self.scope])).token
            } catch {
                return "no Azure AD token for Event Grid: \(error)"
            }
        }
        let body: [UInt8]
        switch topic.schema {
        case .cloudEvents:
            headers["Content-Type"] = "application/cloudevents-batch+json; charset=utf-8"
            body = jsonArray(events.map { Array($0.text.utf8) })
        case .eventGrid:
            headers["Content-Type"] = "application/json; charset=utf-8"
            body = jsonArray(
                events.map {
                    JSONWriter.bytes(NotificationFormat.eventGridEvent($0.object, fallbackTime: $0.createdAt))
                })
        }
        return await http.post(url, headers: headers, body: body)
    }
}

/// Azure AD client-secret credentials for the endpoints' services.
enum AzureADCredential {
    static func make(_ secret: EndpointTarget.ClientSecret, transport: any Transport) -> any TokenCredential {
        ClientSecretCredential(
            tenantID: secret.tenantID, clientID: secret.clientID, clientSecret: secret.clientSecret,
            authorityHost: secret.authorityHost ?? ClientSecretCredential.defaultAuthorityHost, transport: transport)
    }
}
