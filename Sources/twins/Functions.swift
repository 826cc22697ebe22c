import ADTWire
import ArgumentParser
import DTDL
import DeviceLifecycle
import DigitalTwinsClient
import Foundation
import FunctionsHost
import TwinBridge
import HTTPServerSetup
import Hummingbird
import HummingbirdCore
import Logging
import TwinGateway

/// `twins functions`: the device-lifecycle functions (allocate, retire, ingest) over HTTP, as
/// an Azure Functions app would serve them, writing to the gateway or Azure Digital Twins.
struct Functions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the device-lifecycle functions (allocate, retire, ingest) over HTTP.",
        discussion: """
            Routes (the names of the Azure sample's functions):
              POST, GET  /api/DpsAdtAllocationFunc       DPS custom allocation
              POST       /api/DeleteDeviceInTwinFunc     device deleted
              POST       /api/DeviceTelemetryToTwinFunc  telemetry to twin
              POST, GET  /api/ApplyDigitalTwinsEvents    bridge mode (with --bridge):
                         another instance's notifications applied here
              OPTIONS    the last three: CloudEvents abuse-protection handshake
              GET        /healthz
            The last two take Event Hubs envelopes, Event Grid and CloudEvents.

            A call needs a function key (?code=KEY or the x-functions-key header), \
            unless no key is configured, which is allowed on loopback only.

            The credential for Digital Twins, first match: --no-credential; \
            --token; --managed-identity; a client secret (--tenant-id, \
            --client-id, --client-secret or AZURE_*); none for http on \
            loopback (a local gateway); else the default chain (environment, \
            then managed identity).

            Examples:
              twins functions
                  (the local gateway at http://127.0.0.1:8080, no keys)
              twins functions --host 0.0.0.0 --function-key "$KEY" \\
                  --linked-hub myhub.azure-devices.net
              twins functions --adt-endpoint https://127.0.0.1:8443 \\
                  --ca-file certs/cert.pem --tenant-id t1 --client-id app \\
                  --client-secret s3cret \\
                  --authority-host https://127.0.0.1:8443/dev-issuer
              AZURE_TENANT_ID=… AZURE_CLIENT_ID=… AZURE_CLIENT_SECRET=… \\
                twins functions --function-key "$KEY" \\
                  --adt-endpoint https://NAME.api.weu.digitaltwins.azure.net
              twins functions --function-key "DpsAdtAllocationFunc=$KEY" \\
                  --hub-policy hash --default-model "dtmi:example:Thermostat;1"
            """
    )

    // MARK: Listening

    @Option(
        help: ArgumentHelp("Address to listen on (env TWINS_FUNCTIONS_HOST). Default: 127.0.0.1", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on (env TWINS_FUNCTIONS_PORT). Default: 7071", valueName: "port"))
    var port: Int?

    @Option(
        name: .customLong("function-key"),
        help: ArgumentHelp(
            "A key every function accepts, or FUNCTION=KEY for one function only, e.g. DpsAdtAllocationFunc=KEY (env TWINS_FUNCTION_KEYS, comma-separated; repeatable)",
            valueName: "key"))
    var functionKeys: [String] = []

    @Flag(
        help:
            "Serve without function keys on an address other than loopback: anyone who reaches the port may call the functions."
    )
    var insecureNoKeys = false

    @Option(
        help: ArgumentHelp(
            "Refuse request bodies larger than this many bytes (env TWINS_FUNCTIONS_MAX_BODY_BYTES). Default: 4194304 (4 MiB)",
            valueName: "bytes"))
    var maxBodyBytes: Int?

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp(
            "PEM certificate chain, leaf first: serve HTTPS (env TWINS_FUNCTIONS_TLS_CERT). Needs --tls-key.",
            valueName: "file"))
    var tlsCert: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp(
            "PEM private key of the certificate (env TWINS_FUNCTIONS_TLS_KEY). Needs --tls-cert.", valueName: "file"))
    var tlsKey: String?

    // MARK: Digital Twins

    @Option(
        help: ArgumentHelp(
            "Where the twins live: the gateway, or https://<name>.api.<region>.digitaltwins.azure.net (env TWINS_ADT_ENDPOINT). Default: http://127.0.0.1:8080",
            valueName: "url"))
    var adtEndpoint: String?

    @Option(help: ArgumentHelp("A bearer token to send as it is (env TWINS_ADT_TOKEN).", valueName: "token"))
    var token: String?

    @OptionGroup var azure: AzureCredentialOptions

    @Flag(help: "Send no credential: a gateway without auth (env TWINS_NO_CREDENTIAL=1).")
    var noCredential = false

    @Option(
        help: ArgumentHelp(
            "Trust this PEM certificate (a development certificate) for Digital Twins and the authority (env TWINS_CA_FILE).",
            valueName: "file"))
    var caFile: String?

    // MARK: Functions

    @Option(
        help: ArgumentHelp(
            "Allocation: the model of devices whose registration carries no payload.modelId (env TWINS_DEFAULT_MODEL). Default: none (such a registration is refused)",
            valueName: "dtmi"))
    var defaultModel: String?

    @Option(
        help: ArgumentHelp(
            "Allocation: first (the sample's), hash (an even, stable spread), or map (needs --hub-map) (env TWINS_HUB_POLICY). Default: first",
            valueName: "policy"))
    var hubPolicy: String?

    @Option(
        help: ArgumentHelp(
            "Allocation: JSON object of registration id or id prefix → hub host name; devices it does not name get --hub-policy's choice (env TWINS_HUB_MAP)",
            valueName: "file"))
    var hubMap: String?

    @Option(
        name: .customLong("linked-hub"),
        help: ArgumentHelp(
            "Allocation: a hub to choose from when the request lists none, e.g. behind an emulator (env TWINS_LINKED_HUBS, comma-separated; repeatable)",
            valueName: "host"))
    var linkedHubs: [String] = []

    @Option(
        help: ArgumentHelp(
            "Allocation: replace (the sample's) or reject (409) an existing twin of another, incompatible model (env TWINS_INCOMPATIBLE_TWIN). Default: replace",
            valueName: "action"))
    var incompatibleTwin: String?

    @Flag(
        help:
            "Retire: deleting a module identity retires the device's twin too (env TWINS_RETIRE_ON_MODULE_DELETION=1).")
    var retireOnModuleDeletion = false

    @Flag(help: "Ingest: do not publish values the model declares as Telemetry (env TWINS_NO_FORWARD_TELEMETRY=1).")
    var noForwardTelemetry = false

    @Flag(
        help:
            "Ingest: do not set $metadata/<property>/sourceTime (for services older than api-version 2022-05-31) (env TWINS_NO_SOURCE_TIME=1)."
    )
    var noSourceTime = false

    @Flag(
        help:
            "Serve ApplyDigitalTwinsEvents: apply another instance's change notifications to the Digital Twins service (bridge mode, docs/bridge.md) (env TWINS_BRIDGE=1)."
    )
    var bridge = false

    @Option(
        help: ArgumentHelp(
            "Bridge: the instance the notifications come from, to copy models the target lacks (env TWINS_BRIDGE_SOURCE). Default: none (a missing model fails the notification)",
            valueName: "url"))
    var bridgeSource: String?

    @Option(
        help: ArgumentHelp(
            "Bridge: the credential for --bridge-source, as twins migrate's --from-auth (none, token:T, token-env:VAR, client-secret-env:PREFIX, managed-identity[:ID], azure) (env TWINS_BRIDGE_SOURCE_AUTH).",
            valueName: "spec"))
    var bridgeSourceAuth: String?

    @Option(
        help: ArgumentHelp(
            "Bridge: CA bundle for --bridge-source (env TWINS_BRIDGE_SOURCE_CA_FILE).", valueName: "file"))
    var bridgeSourceCaFile: String?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error (env TWINS_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    @OptionGroup var observe: ObservabilityOptions

    func run() async throws {
        do {
            let logger = try Environment.bootstrapLogging(logLevel, format: observe.format())
            let tracing = try observe.startTracing(serviceName: "twins-functions", logger: logger)
            let observability = try observe.observability()
            let configuration = try hostConfiguration()
            let endpoint = Environment.string(adtEndpoint, "TWINS_ADT_ENDPOINT", default: "http://127.0.0.1:8080")
            let client = try makeClient(endpoint: endpoint)
            let tlsServer = try tlsServer()
            let applyEvents = try bridgeFunction(target: client, logger: logger)
            let app = try Self.application(
                configuration, client: client, applyEvents: applyEvents, tlsServer: tlsServer,
                observability: observability, logger: logger)
            do {
                try await observe.run(
                    app, observability: observability, host: configuration.host, tracing: tracing, logger: logger)
            } catch {
                throw CommandFailure(Self.startFailure(error, host: configuration.host, port: configuration.port))
            }
        } catch let error as CommandFailure {
            FileHandle.standardError.write(Data("twins: error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The host, printing its URL once it listens.
    static func application(
        _ configuration: FunctionsHostConfiguration, client: DigitalTwinsClient, applyEvents: ApplyEventsFunction?,
        tlsServer: HTTPServerBuilder?, observability: ServerObservability, logger: Logger
    ) throws -> some ApplicationProtocol {
        let keys = configuration.keys.isEmpty ? "no function keys" : "function keys required"
        do {
            return try buildFunctionsApplication(
                configuration: configuration, service: ClientTwinsService(client: client), applyEvents: applyEvents,
                observability: observability, logger: logger, tlsServer: tlsServer
            ) { url in
                // Unbuffered, so that scripts and terminals see the URL at once.
                FileHandle.standardOutput.write(
                    Data("twins: functions at \(url) (Digital Twins \(client.endpoint), \(keys))\n".utf8))
            }
        } catch  where error.code == .keysRequired {
            throw CommandFailure(
                "no function keys: on \(configuration.host) anyone who reaches the port could call the functions; give --function-key (TWINS_FUNCTION_KEYS), listen on 127.0.0.1, or add --insecure-no-keys"
            )
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// The bridge function of `--bridge`, applying to `target`; `nil` without it.
    func bridgeFunction(target: DigitalTwinsClient, logger: Logger) throws -> ApplyEventsFunction? {
        guard Environment.bool(bridge, "TWINS_BRIDGE") else { return nil }
        var source: (any BridgeSource)?
        if let url = Environment.optional(bridgeSource, "TWINS_BRIDGE_SOURCE") {
            source = ClientBridgeSource(
                client: try MigrateCommand.client(
                    url, auth: Environment.optional(bridgeSourceAuth, "TWINS_BRIDGE_SOURCE_AUTH"),
                    caFile: Environment.optional(bridgeSourceCaFile, "TWINS_BRIDGE_SOURCE_CA_FILE")))
        }
        // Event Grid delivers out of order.
        let applier = ChangeApplier(
            target: target, source: source, memory: InMemoryBridgeMemory(), ordered: false, logger: logger)
        return ApplyEventsFunction(applier: applier, logger: logger)
    }

    /// Listening, keys and the functions' settings from the options and their variables.
    func hostConfiguration() throws -> FunctionsHostConfiguration {
        let keyArguments = functionKeys.isEmpty ? Environment.list("TWINS_FUNCTION_KEYS") : functionKeys
        let keys: FunctionKeys
        do {
            keys = try FunctionKeys(arguments: keyArguments)
        } catch {
            throw CommandFailure("--function-key: \(error.description)")
        }
        let configuration = FunctionsHostConfiguration(
            host: Environment.string(host, "TWINS_FUNCTIONS_HOST", default: "127.0.0.1"),
            port: try Environment.int(port, "TWINS_FUNCTIONS_PORT", default: 7071),
            keys: keys,
            allowAnonymousOnAnyAddress: insecureNoKeys,
            maxBodyBytes: try Environment.int(maxBodyBytes, "TWINS_FUNCTIONS_MAX_BODY_BYTES", default: 4 << 20),
            allocation: try allocationConfiguration(),
            retire: RetireConfiguration(
                retireOnModuleDeletion: Environment.bool(retireOnModuleDeletion, "TWINS_RETIRE_ON_MODULE_DELETION")),
            ingest: IngestConfiguration(
                forwardTelemetry: !Environment.bool(noForwardTelemetry, "TWINS_NO_FORWARD_TELEMETRY"),
                setSourceTime: !Environment.bool(noSourceTime, "TWINS_NO_SOURCE_TIME")))
        guard configuration.maxBodyBytes > 0 else { throw CommandFailure("--max-body-bytes must be positive") }
        guard (0...65535).contains(configuration.port) else {
            throw CommandFailure("--port must be between 0 and 65535, not \(configuration.port)")
        }
        return configuration
    }

    /// `--default-model`, `--hub-policy`, `--hub-map`, `--linked-hub`, `--incompatible-twin`.
    func allocationConfiguration() throws -> AllocationConfiguration {
        let policyName = Environment.optional(hubPolicy, "TWINS_HUB_POLICY")
        let mapFile = Environment.optional(hubMap, "TWINS_HUB_MAP")
        var policy: HubPolicy
        switch policyName?.lowercased() {
        case nil, "map":
            if policyName != nil && mapFile == nil { throw CommandFailure("--hub-policy map needs --hub-map FILE") }
            policy = .first
        case let name?:
            guard let named = HubPolicy(name: name) else {
                throw CommandFailure("--hub-policy must be first, hash or map, not '\(name)'")
            }
            policy = named
        }
        if let mapFile { policy = .map(try Self.hubTable(file: mapFile), fallback: policy) }

        let actionText = Environment.string(incompatibleTwin, "TWINS_INCOMPATIBLE_TWIN", default: "replace")
        guard let action = AllocationConfiguration.IncompatibleTwinAction(rawValue: actionText.lowercased()) else {
            throw CommandFailure("--incompatible-twin must be replace or reject, not '\(actionText)'")
        }
        let model = Environment.optional(defaultModel, "TWINS_DEFAULT_MODEL")
        if let model, !model.hasPrefix("dtmi:") {
            throw CommandFailure("--default-model must be a DTMI (dtmi:…;version), not '\(model)'")
        }
        return AllocationConfiguration(
            defaultModelID: model, hubPolicy: policy,
            linkedHubs: linkedHubs.isEmpty ? Environment.list("TWINS_LINKED_HUBS") : linkedHubs,
            incompatibleTwin: action)
    }

    /// A hub map file: a JSON object of registration id (or prefix) → hub host name.
    static func hubTable(file: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read the hub map \(file)")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(Array(data))
        } catch {
            throw CommandFailure("the hub map \(file) is not JSON: \(error)")
        }
        guard case .object(let object) = root else {
            throw CommandFailure(
                "the hub map \(file) must be a JSON object of registration id (or prefix) → hub host name")
        }
        var table: [String: String] = [:]
        for (key, value) in object {
            guard let hub = value.stringValue, !hub.isEmpty else {
                throw CommandFailure(
                    "the hub map \(file) maps '\(key)' to \(JSONWriter.string(value)), not to a hub host name")
            }
            table[key] = hub
        }
        return table
    }

    /// The client of `endpoint` with the credential the options choose.
    func makeClient(endpoint: String) throws -> DigitalTwinsClient {
        let ca = Environment.optional(caFile, "TWINS_CA_FILE")
        if let ca, !FileManager.default.isReadableFile(atPath: ca) {
            throw CommandFailure("cannot read --ca-file \(ca)")
        }
        let credential = try azure.choice(
            token: Environment.optional(token, "TWINS_ADT_TOKEN"),
            noCredential: Environment.bool(noCredential, "TWINS_NO_CREDENTIAL"), caFile: ca
        ).credential(for: endpoint)
        do {
            return try DigitalTwinsClient(endpoint: endpoint, credential: credential, options: .init(caFile: ca))
        } catch let error as ADTError {
            throw CommandFailure("--adt-endpoint: \(error.message)")
        }
    }

    /// HTTPS with `--tls-cert`/`--tls-key` (or their variables): both or neither.
    func tlsServer() throws -> HTTPServerBuilder? {
        let certificate = Environment.optional(tlsCert, "TWINS_FUNCTIONS_TLS_CERT")
        let key = Environment.optional(tlsKey, "TWINS_FUNCTIONS_TLS_KEY")
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw CommandFailure(
                "--tls-cert (TWINS_FUNCTIONS_TLS_CERT) needs --tls-key (TWINS_FUNCTIONS_TLS_KEY) as well")
        case (nil, .some):
            throw CommandFailure(
                "--tls-key (TWINS_FUNCTIONS_TLS_KEY) needs --tls-cert (TWINS_FUNCTIONS_TLS_CERT) as well")
        case (let certificate?, let key?):
            do {
                let tls = try ServerTLS.configuration(certificateChainFile: certificate, privateKeyFile: key)
                return HTTPServer.builder(tls: tls)
            } catch let error as ServerTLSError {
                throw CommandFailure(error.description)
            }
        }
    }

    static func startFailure(_ error: any Error, host: String, port: Int) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "cannot listen on \(host):\(port): address already in use"
        }
        return "cannot listen on \(host):\(port): \(text)"
    }
}
