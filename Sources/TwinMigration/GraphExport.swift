import ADTWire
import DigitalTwinsClient
import Foundation

/// `twins migrate export`: writes a graph in ADT's import format (header, models in dependency
/// order, twins, relationships), page by page as it is read, resumable: the state records the
/// bytes of completed pages, and a resumed export cuts the file there and goes on.
public struct GraphExport: Sendable {
    /// Where the graph is read.
    public let reader: GraphReader
    /// The file written.
    public let outputPath: String
    /// The state file, or `nil` for none.
    public let statePath: String?
    /// Progress lines.
    public let progress: MigrationProgress

    /// An export of `reader`'s graph to `outputPath`.
    public init(reader: GraphReader, outputPath: String, statePath: String?, progress: MigrationProgress) {
        self.reader = reader
        self.outputPath = outputPath
        self.statePath = statePath
        self.progress = progress
    }

    /// Runs (or resumes) the export; returns the final state.
    public func run(command: String) async throws -> MigrationState {
        var state = try MigrationState.load(statePath, command: command)
        if state.bytesWritten == 0 || !FileManager.default.fileExists(atPath: outputPath) {
            state = MigrationState(command: command)
            guard FileManager.default.createFile(atPath: outputPath, contents: nil) else {
                throw MigrationError("cannot create \(outputPath)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: outputPath) else {
            throw MigrationError("cannot write \(outputPath)")
        }
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(state.bytesWritten))
        try handle.seekToEnd()
        var offset = state.bytesWritten

        func write(_ lines: [JSONValue]) throws {
            var bytes: [UInt8] = []
            for line in lines {
                bytes += JSONWriter.bytes(line)
                bytes.append(0x0A)
            }
            try handle.write(contentsOf: bytes)
            offset += Int64(bytes.count)
        }
        /// Records a completed step: the bytes are on disk before the state says so.
        func commit() throws {
            try handle.synchronize()
            state.bytesWritten = offset
            try state.save(statePath)
        }

        let counts = await reader.counts()
        if state.phase == "models" {
            let models = try await reader.selectedModels().compactMap(\.model)
            progress.begin("models", total: models.count)
            try write(
                [
                    ["Section": "Header"],
                    ["fileVersion": "1.0.0", "author": "twins migrate", "organization": ""],
                    ["Section": "Models"],
                ] + models + [["Section": "Twins"]])
            state.add(models.count, "models")
            progress.advance(by: models.count)
            progress.end()
            state.phase = "twins"
            state.cursor = nil
            try commit()
        }
        if state.phase == "twins" {
            progress.begin("twins", total: counts.twins, done: state.counts["twins", default: 0])
            for try await page in reader.twinPages(from: state.cursor) {
                let twins = page.items.compactMap(GraphReader.twin(fromRow:)).map(GraphItems.portableTwin)
                try write(twins.map { .object($0) })
                state.add(twins.count, "twins")
                progress.advance(by: twins.count)
                state.cursor = page.continuationToken
                try commit()
            }
            try write([["Section": "Relationships"]])
            progress.end()
            state.phase = "relationships"
            state.cursor = nil
            try commit()
        }
        if state.phase == "relationships" {
            progress.begin(
                "relationships", total: reader.twinQuery == nil ? counts.relationships : nil,
                done: state.counts["relationships", default: 0])
            try await reader.forEachRelationshipStep(from: state.cursor) { relationships, next in
                try write(relationships.map { .object($0) })
                state.add(relationships.count, "relationships")
                progress.advance(by: relationships.count)
                state.cursor = next
                try commit()
            }
            progress.end()
            state.phase = "done"
            try commit()
        }
        return state
    }
}
