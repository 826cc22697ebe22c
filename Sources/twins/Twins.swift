import ArgumentParser

/// The `twins` command: the one entry point for the service and its tools.
@main
struct Twins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twins",
        abstract: "An Azure Digital Twins compatible service on PostgreSQL.",
        discussion: """
            Most options also read an environment variable (shown in each command's help); a flag \
            given on the command line wins over the variable.
            """,
        subcommands: [
            Serve.self, Database.self, DevCert.self, ModelCommand.self, TwinCommand.self, RelationshipCommand.self,
            QueryCommand.self, TelemetryCommand.self, EventsCommand.self, MigrateCommand.self, BridgeCommand.self,
            DeviceCommand.self,
            Functions.self,
            Emulate.self,
        ]
    )
}
