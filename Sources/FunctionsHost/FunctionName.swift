/// The functions the host serves, under the names of the Azure sample's functions, so that a
/// DPS enrollment group, an Event Grid subscription or an IoT Hub route configured for the
/// sample's function app works unchanged against this host (`/api/<name>`).
public enum FunctionName: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The DPS custom-allocation webhook (``DeviceLifecycle/AllocationFunction``): `GET` or
    /// `POST /api/DpsAdtAllocationFunc`.
    case allocation = "DpsAdtAllocationFunc"
    /// Device deleted → twin retired (``DeviceLifecycle/RetireFunction``):
    /// `POST /api/DeleteDeviceInTwinFunc`, and `OPTIONS` for the CloudEvents handshake.
    case retire = "DeleteDeviceInTwinFunc"
    /// Telemetry → twin properties (``DeviceLifecycle/IngestFunction``):
    /// `POST /api/DeviceTelemetryToTwinFunc`, and `OPTIONS` for the CloudEvents handshake.
    case ingest = "DeviceTelemetryToTwinFunc"
    /// Another instance's change notifications → this one (bridge mode,
    /// ``ApplyEventsFunction``): `POST /api/ApplyDigitalTwinsEvents`, `GET` for its counts, and
    /// `OPTIONS` for the CloudEvents handshake.
    case applyEvents = "ApplyDigitalTwinsEvents"

    /// The function named `name`, compared case-insensitively (as Azure Functions routes are).
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = match
    }

    /// The route, `/api/<name>`.
    public var path: String { "/api/" + rawValue }

    /// The function's name.
    public var description: String { rawValue }
}
