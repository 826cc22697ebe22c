/// An event route: notifications that its filter matches go to the endpoint it names.
public struct EventRoute: Sendable, Hashable {
    /// The route's id (case-sensitive).
    public var id: String
    /// The name of the endpoint that receives the notifications.
    public var endpointName: String
    /// The filter.
    public var filter: RouteFilter

    /// A route.
    public init(id: String, endpointName: String, filter: RouteFilter) {
        self.id = id
        self.endpointName = endpointName
        self.filter = filter
    }

    /// The most routes an instance holds by default: ADT's limit.
    public static let defaultLimit = 6

    /// Whether `id` may name a route: 1 to 256 characters, letters, digits and `-`, `_`, `.`, `~`,
    /// `:` (the characters a URL path carries as they are, so that an id reads the same in a
    /// path and in a body).
    public static func isValidID(_ id: String) -> Bool {
        guard (1...256).contains(id.utf8.count) else { return false }
        return id.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "-_.~:".unicodeScalars.contains(scalar))
        }
    }
}
