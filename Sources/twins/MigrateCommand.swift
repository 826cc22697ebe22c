import ADTWire
import ArgumentParser
import DigitalTwinsClient
import Foundation
import TwinMigration

/// `twins migrate`: moves a twin graph between two ADT-compatible endpoints (Azure Digital
/// Twins or this gateway), in ADT's import format or directly.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Export, import, copy and verify a twin graph between ADT-compatible endpoints.",
        discussion: """
            Endpoints are Azure Digital Twins instances \
            (https://<name>.api.<region>.digitaltwins.azure.net) or gateways. Each side's \
            credential is chosen with --from-auth / --to-auth:
              none                     no token (a gateway with --auth none)
              token:<token>            a bearer token as it is
              token-env:<VAR>          the bearer token in $VAR
              client-secret-env:<P>    Azure AD client secret from $P_TENANT_ID,
                                       $P_CLIENT_ID, $P_CLIENT_SECRET and optionally
                                       $P_AUTHORITY_HOST (a gateway's development
                                       issuer: <gateway>/dev-issuer)
              managed-identity[:<id>]  the machine's managed identity (a user-assigned
                                       one by client id)
              azure                    AZURE_TENANT_ID / AZURE_CLIENT_ID /
                                       AZURE_CLIENT_SECRET, else the managed identity
            Without one: none for http:// on loopback, else azure.
            """,
        subcommands: [Export.self, Import.self, Copy.self, Verify.self]
    )

    /// What every migration command takes: rate, concurrency, resume state.
    struct CommonOptions: ParsableArguments {
        @Option(
            help: "Writes (or reads) per second at most; ADT's published limits are the guide (default: unlimited).")
        var rate: Double?
        @Option(help: "Requests in flight at most.") var concurrency: Int = 16
        @Option(
            help: ArgumentHelp(
                "A state file: an interrupted run given the same file continues where it stopped.", valueName: "file"))
        var resume: String?
        @Flag(help: "No progress lines on standard error.") var quiet = false

        var limiter: RateLimiter? { rate.map { RateLimiter(perSecond: $0) } }
    }

    /// The endpoint read (`--from`), its credential and CA file.
    struct FromOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The endpoint to read.", valueName: "url")) var from: String
        @Option(help: ArgumentHelp("Its credential (see twins migrate --help).", valueName: "spec")) var fromAuth:
            String?
        @Option(help: ArgumentHelp("A CA file to trust for it.", valueName: "file")) var fromCaFile: String?

        func client() throws -> DigitalTwinsClient {
            try MigrateCommand.client(from, auth: fromAuth, caFile: fromCaFile)
        }
    }

    /// The endpoint written (`--to`), its credential and CA file.
    struct ToOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The endpoint to write.", valueName: "url")) var to: String
        @Option(help: ArgumentHelp("Its credential (see twins migrate --help).", valueName: "spec")) var toAuth: String?
        @Option(help: ArgumentHelp("A CA file to trust for it.", valueName: "file")) var toCaFile: String?

        func client() throws -> DigitalTwinsClient { try MigrateCommand.client(to, auth: toAuth, caFile: toCaFile) }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Writes an endpoint's graph (or the twins --query selects) to a file in ADT's import format.")
        @OptionGroup var source: FromOptions
        @Option(help: ArgumentHelp("The file to write (NDJSON).", valueName: "file")) var out: String
        @Option(help: "Only the twins this query selects, the relationships between them and their models.")
        var query: String?
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await runClientCommand {
                let reader = GraphReader(
                    client: try source.client(), twinQuery: query, concurrency: common.concurrency)
                let state = try await GraphExport(
                    reader: reader, outputPath: out, statePath: common.resume,
                    progress: MigrationProgress(quiet: common.quiet)
                ).run(command: "export \(source.from) \(out) \(query ?? "")")
                try MigrateCommand.summary("exported", state, failures: [])
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Loads a file in ADT's import format into an endpoint.",
            discussion: """
                With --job-output, FILE is a URL the endpoint can read (an Azure Blob URL with a SAS, or a file:// \
                URI inside a gateway's --import-dir) and the endpoint's import job does the work; the command \
                follows the job to its end. Otherwise the file is read here and written through the API.
                """)
        @OptionGroup var target: ToOptions
        @Option(help: ArgumentHelp("Run an import job that logs to this URL.", valueName: "url")) var jobOutput: String?
        @Option(help: "The import job's id. Default: a new one.") var jobId: String?
        @Argument(help: ArgumentHelp("The file (a path, or with --job-output a URL).", valueName: "file"))
        var file: String
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await runClientCommand {
                let client = try target.client()
                if let jobOutput {
                    let id = jobId ?? "twins-migrate-\(UUID().uuidString.prefix(8).lowercased())"
                    var job = try await client.createImportJob(id: id, inputBlobURI: file, outputBlobURI: jobOutput)
                    FileHandle.standardError.write(Data("import job \(id): \(job.status)\n".utf8))
                    while !job.isFinished {
                        try await Task.sleep(for: .seconds(1))
                        job = try await client.getImportJob(id: id)
                    }
                    Output.line(.object(job.json))
                    guard job.status == "succeeded" else {
                        throw CommandFailure(
                            "import job \(id) \(job.status)" + (job.error.map { ": \($0.code): \($0.message)" } ?? ""))
                    }
                    return
                }
                let writer = GraphWriter(client: client, concurrency: common.concurrency, limiter: common.limiter)
                let (state, failures) = try await GraphFileImport(
                    inputPath: file, writer: writer, statePath: common.resume,
                    progress: MigrationProgress(quiet: common.quiet)
                ).run(command: "import \(file) \(target.to)")
                try MigrateCommand.summary("imported", state, failures: failures)
            }
        }
    }

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copies a graph from one endpoint to another through their APIs, page by page, without a file.",
            discussion: """
                Writes only what is missing or different on the target (twins and relationships are created with \
                If-None-Match: *), so a copy can be run again or resumed; models are uploaded in dependency \
                order, decommissioned ones decommissioned last.
                """)
        @OptionGroup var source: FromOptions
        @OptionGroup var target: ToOptions
        @Option(help: "Only the twins this query selects, the relationships between them and their models.")
        var query: String?
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await runClientCommand {
                let reader = GraphReader(client: try source.client(), twinQuery: query, concurrency: common.concurrency)
                let writer = GraphWriter(
                    client: try target.client(), concurrency: common.concurrency, limiter: common.limiter)
                let (state, failures) = try await GraphCopy(
                    reader: reader, writer: writer, statePath: common.resume,
                    progress: MigrationProgress(quiet: common.quiet)
                ).run(command: "copy \(source.from) \(target.to) \(query ?? "")")
                try MigrateCommand.summary("copied", state, failures: failures)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compares two endpoints item by item; prints each difference and exits 1 if there is any.")
        @OptionGroup var source: FromOptions
        @OptionGroup var target: ToOptions
        @Option(help: "Compare only the twins this query selects (on both sides) and what goes with them.")
        var query: String?
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await runClientCommand {
                let report = try await GraphVerify(
                    source: GraphReader(client: try source.client(), twinQuery: query, concurrency: common.concurrency),
                    target: GraphReader(client: try target.client(), twinQuery: query, concurrency: common.concurrency),
                    progress: MigrationProgress(quiet: common.quiet)
                ).run()
                for line in report.lines { Output.text(line) }
                let compared = ["models", "twins", "relationships"].map { "\(report.compared[$0] ?? 0) \($0)" }
                if report.isClean {
                    Output.text("verify: no difference (\(compared.joined(separator: ", ")) compared)")
                } else {
                    let kinds = ["missing", "extra", "different"].map { "\(report.counts[$0] ?? 0) \($0)" }
                    Output.text(
                        "verify: \(kinds.joined(separator: ", ")) (\(compared.joined(separator: ", ")) compared)")
                    throw ExitCode(1)
                }
            }
        }
    }

    /// A client for one side: its endpoint, credential and CA file; retries patient enough for
    /// a throttling target (12 retries honouring Retry-After).
    static func client(_ endpoint: String, auth: String?, caFile: String?) throws -> DigitalTwinsClient {
        var options = DigitalTwinsClient.Options(caFile: caFile)
        options.retryPolicy = RetryPolicy(maxRetries: 12, baseDelay: .milliseconds(200), maxDelay: .seconds(30))
        let credential: (any TokenCredential)?
        do {
            credential = try credentialChoice(auth, caFile: caFile).credential(for: endpoint)
        } catch {
            throw CommandFailure("\(error)")
        }
        return try DigitalTwinsClient(endpoint: endpoint, credential: credential, options: options)
    }

    /// The credential a `--from-auth` / `--to-auth` value names.
    static func credentialChoice(_ spec: String?, caFile: String?) throws -> CredentialChoice {
        var choice = CredentialChoice(caFile: caFile)
        guard let spec else { return choice }
        let (kind, value) =
            spec.firstIndex(of: ":").map { (String(spec[..<$0]), String(spec[spec.index(after: $0)...])) }
            ?? (spec, "")
        let environment = ProcessInfo.processInfo.environment
        switch kind {
        case "none":
            choice.noCredential = true
        case "token":
            choice.token = value
        case "token-env":
            guard let token = environment[value], !token.isEmpty else { throw CommandFailure("$\(value) is not set") }
            choice.token = token
        case "client-secret-env":
            guard let tenant = environment[value + "_TENANT_ID"], let client = environment[value + "_CLIENT_ID"],
                let secret = environment[value + "_CLIENT_SECRET"]
            else {
                throw CommandFailure(
                    "\(spec) needs $\(value)_TENANT_ID, $\(value)_CLIENT_ID and $\(value)_CLIENT_SECRET")
            }
            choice.tenantID = tenant
            choice.clientID = client
            choice.clientSecret = secret
            choice.authorityHost = environment[value + "_AUTHORITY_HOST"]
        case "managed-identity":
            choice.managedIdentity = true
            choice.clientID = value.isEmpty ? nil : value
        case "azure":
            break
        default:
            throw CommandFailure("unknown credential \(spec); see twins migrate --help")
        }
        return choice
    }

    /// The final summary on standard output; exit code 1 when items were refused.
    static func summary(_ verb: String, _ state: MigrationState, failures: [String]) throws {
        for failure in failures.prefix(100) { FileHandle.standardError.write(Data("refused: \(failure)\n".utf8)) }
        let keys = ["models", "twins", "relationships", "unchanged", "replaced", "failed", "decommissioned"]
        let parts = keys.compactMap { key in state.counts[key].map { "\($0) \(key)" } }
        Output.text("\(verb): " + (parts.isEmpty ? "nothing" : parts.joined(separator: ", ")))
        if state.counts["failed", default: 0] > 0 { throw ExitCode(1) }
    }
}
