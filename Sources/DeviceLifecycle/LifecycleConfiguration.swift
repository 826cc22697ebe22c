/// Settings of the *allocate* function (the DPS custom-allocation webhook).
public struct AllocationConfiguration: Sendable, Hashable {
    /// What to do with an existing twin whose model differs from the registering device's
    /// model and cannot be migrated in place.
    public enum IncompatibleTwinAction: String, Sendable, Hashable {
        /// Replace the twin with a fresh one of the new model (the sample's behaviour; the old
        /// property values are lost, relationships are kept).
        case replace
        /// Refuse the registration with 409 and leave the twin alone.
        case reject
    }

    /// The model of devices whose registration carries no `payload.modelId`. `nil` makes such
    /// a registration a 400.
    public var defaultModelID: String?
    /// How a hub is chosen among the request's `linkedHubs`.
    public var hubPolicy: HubPolicy
    /// Hubs to choose from when the request carries no (or an empty) `linkedHubs`, for example
    /// behind an emulator. Empty: such a request is a 400, as in the sample.
    public var linkedHubs: [String]
    /// What to do when an existing twin has another, incompatible model.
    public var incompatibleTwin: IncompatibleTwinAction
    /// How many times to re-read and retry after a 412 (a concurrent writer) before giving up
    /// with 503.
    public var maxAttempts: Int

    /// Settings with the given values; the defaults are the sample's behaviour (first hub,
    /// replace incompatible twins) with bounded retries.
    public init(
        defaultModelID: String? = nil, hubPolicy: HubPolicy = .first, linkedHubs: [String] = [],
        incompatibleTwin: IncompatibleTwinAction = .replace, maxAttempts: Int = 4
    ) {
        self.defaultModelID = defaultModelID
        self.hubPolicy = hubPolicy
        self.linkedHubs = linkedHubs
        self.incompatibleTwin = incompatibleTwin
        self.maxAttempts = max(1, maxAttempts)
    }
}

/// Settings of the *retire* function (device deleted from IoT Hub).
public struct RetireConfiguration: Sendable, Hashable {
    /// Attempts at deleting the twin (each re-reads its ETag; a 412 or a relationship created
    /// meanwhile starts the next) before giving up with 503.
    public var maxAttempts: Int
    /// Whether `deleteModuleIdentity` events also retire the device's twin. Off: deleting a
    /// module leaves the device (and its twin) in place.
    public var retireOnModuleDeletion: Bool

    /// Settings with the given values.
    public init(maxAttempts: Int = 4, retireOnModuleDeletion: Bool = false) {
        self.maxAttempts = max(1, maxAttempts)
        self.retireOnModuleDeletion = retireOnModuleDeletion
    }
}

/// Settings of the *ingest* function (device telemetry to twin properties).
public struct IngestConfiguration: Sendable, Hashable {
    /// Attempts at the property patch (each re-reads the twin after a 412) before giving up
    /// with 503.
    public var maxAttempts: Int
    /// Whether values the model declares as Telemetry are published to the twin
    /// (`POST /digitaltwins/{id}/telemetry`). Off: they are ignored like undeclared names.
    public var forwardTelemetry: Bool
    /// Whether each patched property also gets `$metadata/<name>/sourceTime` (the message's
    /// enqueued time). Needs api-version 2022-05-31 or later on the service.
    public var setSourceTime: Bool

    /// Settings with the given values.
    public init(maxAttempts: Int = 4, forwardTelemetry: Bool = true, setSourceTime: Bool = true) {
        self.maxAttempts = max(1, maxAttempts)
        self.forwardTelemetry = forwardTelemetry
        self.setSourceTime = setSourceTime
    }
}
