import ADTWire
import DigitalTwinsClient
import Foundation

/// `twins migrate import` through the API: reads a file in ADT's import format and writes its
/// models (the missing ones, in dependency order), then its twins and relationships, 1,000
/// lines at a time with bounded concurrency. Resumable: the state records the lines applied.
public struct GraphFileImport: Sendable {
    /// The file read.
    public let inputPath: String
    /// Where the graph is written.
    public let writer: GraphWriter
    /// The state file, or `nil` for none.
    public let statePath: String?
    /// Progress lines.
    public let progress: MigrationProgress
    /// Lines written per step.
    public static let stepLines = 1000

    /// An import of `inputPath` through `writer`.
    public init(inputPath: String, writer: GraphWriter, statePath: String?, progress: MigrationProgress) {
        self.inputPath = inputPath
        self.writer = writer
        self.statePath = statePath
        self.progress = progress
    }

    /// Runs (or resumes) the import; returns the final state and the items refused.
    public func run(command: String) async throws -> (state: MigrationState, failures: [String]) {
        var state = try MigrationState.load(statePath, command: command)
        var failures: [String] = []
        guard let handle = FileHandle(forReadingAtPath: inputPath) else {
            throw MigrationError("cannot read \(inputPath)")
        }
        defer { try? handle.close() }
        var reader = ImportFileReader()
        var splitter = LineSplitter()
        var number = 0
        var models: [JSONValue] = []
        var batch: [JSONObject] = []
        var batchSection: ImportSection?

        func flush(through line: Int) async throws {
            if let section = batchSection, !batch.isEmpty {
                let outcomes =
                    section == .twins
                    ? await writer.writeTwins(batch) : await writer.writeRelationships(batch)
                tally(outcomes, kind: section == .twins ? "twins" : "relationships", into: &state, failures: &failures)
                progress.advance(by: batch.count)
            }
            batch = []
            state.linesDone = line
            try state.save(statePath)
        }

        func handleLine(_ text: String) async throws {
            number += 1
            let previous = reader.section
            let parsed: ImportLine
            do {
                parsed = try reader.next(Substring(text))
            } catch {
                throw MigrationError("\(inputPath): \(error)")
            }
            guard number > state.linesDone else { return }
            switch parsed {
            case .section(let section):
                if previous == .models {
                    progress.begin("models", total: models.count)
                    state.add(try await writer.uploadMissingModels(models), "models")
                    progress.advance(by: models.count)
                    progress.end()
                    models = []
                } else if previous == .twins || previous == .relationships {
                    progress.end()
                }
                try await flush(through: number - 1)
                if section == .twins || section == .relationships {
                    progress.begin(section.rawValue.lowercased(), total: nil)
                }
                batchSection = section
            case .item(.models, let model):
                models.append(.object(model))
            case .item(let section, let item):
                batchSection = section
                batch.append(item)
                if batch.count >= Self.stepLines { try await flush(through: number) }
            case .invalid(let reason):
                state.add(1, "failed")
                failures.append("line \(number): \(reason)")
            case .blank, .header:
                break
            }
        }

        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            for line in splitter.feed(chunk) { try await handleLine(line) }
        }
        if let last = splitter.finish() { try await handleLine(last) }
        if !models.isEmpty {
            state.add(try await writer.uploadMissingModels(models), "models")
        }
        guard reader.header != nil else { throw MigrationError("\(inputPath): the file has no Header section") }
        if number > state.linesDone { try await flush(through: number) }
        progress.end()
        state.phase = "done"
        try state.save(statePath)
        return (state, failures)
    }
}
