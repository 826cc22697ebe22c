import ADTWire
import ArgumentParser
import DTDL
import DeviceLifecycle
import DigitalTwinsClient
import Foundation
import HTTPTransport

/// `twins device`: simulated devices that register through DPS and send telemetry.
struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Simulate devices: register through DPS, then send telemetry to the assigned hub.",
        discussion: """
            Each device derives its key from the enrollment group's key, registers over DPS's \
            HTTPS API (real DPS by default, or the emulator with --dps-endpoint), and sends a \
            JSON message every --interval seconds to the hub DPS assigned, until --messages are \
            sent.

            Examples:
              twins device --id-scope 0ne00000A1B --group-key "$KEY" \\
                  --model "dtmi:contosocom:DigitalTwins:Thermostat;1" \\
                  --telemetry '{"Temperature": 21.5}'
              twins device --dps-endpoint http://127.0.0.1:8081 \\
                  --hub-endpoint http://127.0.0.1:8082 --id-scope 0ne00000001 \\
                  --group-key "$KEY" --count 100 --prefix thermostat- --messages 3
            """)

    @Option(help: ArgumentHelp("DPS's device endpoint (env TWINS_DPS_ENDPOINT).", valueName: "url"))
    var dpsEndpoint: String?

    @Option(
        help: ArgumentHelp(
            "The hubs' HTTPS base: messages for hub H go to <url>/hubs/H (the emulator); default https://H.",
            valueName: "url"))
    var hubEndpoint: String?

    @Option(help: ArgumentHelp("The DPS instance's ID scope (env TWINS_ID_SCOPE).", valueName: "scope"))
    var idScope: String?

    @Option(help: ArgumentHelp("The enrollment group's primary key, base64 (env TWINS_GROUP_KEY).", valueName: "key"))
    var groupKey: String?

    @Option(help: ArgumentHelp("Model id sent in the registration payload.", valueName: "dtmi"))
    var model: String?

    @Option(help: "Registration id of a single device.") var id: String?
    @Option(help: "Simulate this many devices, named <prefix>1 ... <prefix>N.") var count: Int = 1
    @Option(help: "Prefix of the simulated devices' ids.") var prefix = "device-"
    @Option(help: "The telemetry message, JSON (default: a Temperature reading that changes).") var telemetry: String?
    @Option(help: "Messages per device (0: register only).") var messages = 1
    @Option(help: "Seconds between a device's messages.") var interval: Double = 1
    @Option(help: ArgumentHelp("Trust this PEM certificate (env TWINS_CA_FILE).", valueName: "file")) var caFile:
        String?

    func run() async throws {
        guard let scope = Environment.optional(idScope, "TWINS_ID_SCOPE"),
            let key = Environment.optional(groupKey, "TWINS_GROUP_KEY")
        else {
            throw ValidationError("--id-scope and --group-key (or TWINS_ID_SCOPE and TWINS_GROUP_KEY) are required")
        }
        // Checked here, as the option it is: a usage error (64), not a failure of the run.
        guard SharedAccessSignature.isValidKey(key) else {
            throw ValidationError("--group-key: the key is not base64")
        }
        guard count >= 1, messages >= 0, interval >= 0 else {
            throw ValidationError("--count must be at least 1; --messages and --interval cannot be negative")
        }
        let fixedMessage = try telemetry.map { text -> JSONObject in
            guard case .object(let object) = try Output.readJSON(text) else {
                throw ValidationError("--telemetry must be a JSON object")
            }
            return object
        }
        var configuration = DeviceSimulator.Configuration(
            provisioningEndpoint: Environment.string(
                dpsEndpoint, "TWINS_DPS_ENDPOINT", default: "https://global.azure-devices-provisioning.net"),
            idScope: scope, groupKey: key, modelID: model)
        if let hubEndpoint {
            let base = hubEndpoint.hasSuffix("/") ? String(hubEndpoint.dropLast()) : hubEndpoint
            configuration.hubBaseURL = { "\(base)/hubs/\($0)" }
        }
        let transport =
            Environment.optional(caFile, "TWINS_CA_FILE").map { CurlTransport(configuration: .init(caFile: $0)) }
            ?? CurlTransport.shared
        let simulator = DeviceSimulator(configuration: configuration, transport: transport)
        let ids = id.map { [$0] } ?? (1...count).map { "\(prefix)\($0)" }
        let interval = self.interval
        let messages = self.messages
        try await runClientCommand {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, registrationID) in ids.enumerated() {
                    group.addTask {
                        let registration = try await simulator.register(registrationID)
                        Output.text(
                            "\(registrationID) assigned to \(registration.assignedHub) as \(registration.deviceID)")
                        for m in 0..<messages {
                            if m > 0 { try await Task.sleep(for: .milliseconds(Int(interval * 1000))) }
                            let message =
                                fixedMessage ?? JSONObject([("Temperature", .double(20 + Double((n + m) % 100) / 10))])
                            try await simulator.send(message, from: registration)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
