import ADTWire
import ArgumentParser
import DTDL
import DeviceLifecycle
import DigitalTwinsClient
import Foundation
import HTTPTransport
import TwinMigration

/// Where the client commands send their requests, and with which credential. The endpoint is
/// our gateway or a real Azure Digital Twins instance (`https://<name>.api.<region>.digitaltwins.azure.net`).
struct ClientOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("The ADT endpoint (env TWINS_ENDPOINT). Default: http://127.0.0.1:8080", valueName: "url"))
    var endpoint: String?

    @Option(help: ArgumentHelp("A bearer token to send as it is (env TWINS_TOKEN).", valueName: "token"))
    var token: String?

    @OptionGroup var azure: AzureCredentialOptions

    @Option(
        help: ArgumentHelp(
            "Trust this PEM certificate (a development certificate) (env TWINS_CA_FILE).", valueName: "file"))
    var caFile: String?

    @Option(help: ArgumentHelp("ADT api-version. Default: 2023-10-31", valueName: "version"))
    var apiVersion: String?

    func caFile(default fallback: String?) -> String? { Environment.optional(caFile, "TWINS_CA_FILE") ?? fallback }

    func makeClient() throws -> DigitalTwinsClient {
        let url = Environment.string(endpoint, "TWINS_ENDPOINT", default: "http://127.0.0.1:8080")
        var options = DigitalTwinsClient.Options(caFile: caFile(default: nil))
        if let apiVersion { options.apiVersion = apiVersion }
        do {
            let credential = try azure.choice(
                token: Environment.optional(token, "TWINS_TOKEN"), caFile: caFile(default: nil)
            )
            .credential(for: url)
            return try DigitalTwinsClient(endpoint: url, credential: credential, options: options)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// Runs a client command: failures become one line on standard error and an exit code a script
/// can test — 2 when the thing asked for does not exist (404), 1 for any other failure.
func runClientCommand(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ADTError {
        var line = "twins: error: "
        if let status = error.status { line += "\(status) " }
        if let code = error.code { line += "\(code.rawValue): " }
        line += error.message
        FileHandle.standardError.write(Data((line + "\n").utf8))
        throw ExitCode(error.isNotFound ? 2 : 1)
    } catch let error as MigrationError {
        FileHandle.standardError.write(Data("twins: error: \(error.description)\n".utf8))
        throw ExitCode(1)
    } catch let error as CommandFailure {
        FileHandle.standardError.write(Data("twins: error: \(error.description)\n".utf8))
        throw ExitCode(1)
    } catch let error as DeviceSimulator.Failure {
        FileHandle.standardError.write(Data("twins: error: \(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as CredentialError {
        FileHandle.standardError.write(Data("twins: error: \(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as TransportError {
        FileHandle.standardError.write(Data("twins: error: \(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as SASError {
        // Only `twins device` signs, with keys derived from its group key.
        FileHandle.standardError.write(Data("twins: error: --group-key: \(error.detail)\n".utf8))
        throw ExitCode(1)
    }
}

/// Standard output, one JSON document per line.
enum Output {
    static func line(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data((JSONWriter.string(value) + "\n").utf8))
    }

    static func text(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// JSON objects as a text table: a header line, then one line per object with the members
    /// `columns` names (strings as they are, `-` for none, other values as JSON), each column as
    /// wide as its widest cell; the last column is not padded.
    static func table(_ objects: [JSONValue], columns: [String], headers: [String]) -> [String] {
        var rows = [headers]
        for object in objects {
            rows.append(
                columns.map { column in
                    switch object[column] {
                    case .string(let text)?: return text
                    case nil, .null?: return "-"
                    case let value?: return JSONWriter.string(value)
                    }
                })
        }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < row.count - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }
    }

    /// A JSON document from an argument: inline JSON, `@file`, or `-` for standard input.
    static func readJSON(_ argument: String) throws -> JSONValue {
        let text: String
        if argument == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else if argument.hasPrefix("@") {
            guard let data = FileManager.default.contents(atPath: String(argument.dropFirst())) else {
                throw CommandFailure("cannot read \(argument.dropFirst())")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = argument
        }
        do {
            return try JSONParser.parse(text)
        } catch {
            throw CommandFailure("not JSON: \(error)")
        }
    }
}
