/// A model as the model API lists it. The JSON members are kept as JSON text, exactly as stored,
/// so that responses embed them without decoding.
public struct ModelRecord: Sendable {
    /// The model's DTMI.
    public var id: String
    /// Upload order, the key of list paging.
    public var seq: Int64
    /// `displayName` as a language map (JSON text).
    public var displayNameJSON: String
    /// `description` as a language map (JSON text).
    public var descriptionJSON: String
    /// Whether the model is decommissioned.
    public var decommissioned: Bool
    /// Upload time as ADT writes it, e.g. `2022-03-31T17:40:05.265223+00:00`.
    public var uploadTime: String
    /// The DTDL interface as uploaded (JSON text), when asked for.
    public var definitionJSON: String?

    /// A record.
    public init(
        id: String, seq: Int64, displayNameJSON: String, descriptionJSON: String, decommissioned: Bool,
        uploadTime: String, definitionJSON: String?
    ) {
        self.id = id
        self.seq = seq
        self.displayNameJSON = displayNameJSON
        self.descriptionJSON = descriptionJSON
        self.decommissioned = decommissioned
        self.uploadTime = uploadTime
        self.definitionJSON = definitionJSON
    }
}
