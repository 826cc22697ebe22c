import ADTWire
import DigitalTwinsClient
import Foundation

/// `twins migrate copy`: streams a graph from one instance to another through their APIs, page
/// by page (no file), resumable.
public struct GraphCopy: Sendable {
    /// Where the graph is read.
    public let reader: GraphReader
    /// Where it is written.
    public let writer: GraphWriter
    /// The state file, or `nil` for none.
    public let statePath: String?
    /// Progress lines.
    public let progress: MigrationProgress

    /// A copy from `reader` to `writer`, saving its state in `statePath`.
    public init(reader: GraphReader, writer: GraphWriter, statePath: String?, progress: MigrationProgress) {
        self.reader = reader
        self.writer = writer
        self.statePath = statePath
        self.progress = progress
    }

    /// Runs (or resumes) the copy; returns the final state with its counts. Items the target
    /// refused are counted as `failed` and listed in `failures` (the copy goes on).
    public func run(command: String) async throws -> (state: MigrationState, failures: [String]) {
        var state = try MigrationState.load(statePath, command: command)
        var failures: [String] = []
        let counts = await reader.counts()
        if state.phase == "models" {
            let models = try await reader.selectedModels()
            progress.begin("models", total: models.count)
            let uploaded = try await writer.uploadMissingModels(models.compactMap(\.model))
            state.add(uploaded, "models")
            progress.advance(by: models.count)
            progress.end()
            state.counts["decommissioned"] = nil
            state.phase = "twins"
            state.cursor = nil
            try state.save(statePath)
        }
        if state.phase == "twins" {
            progress.begin("twins", total: counts.twins, done: state.counts["twins.seen", default: 0])
            for try await page in reader.twinPages(from: state.cursor) {
                let twins = page.items.compactMap(GraphReader.twin(fromRow:)).map(GraphItems.portableTwin)
                let outcomes = await writer.writeTwins(twins)
                tally(outcomes, kind: "twins", into: &state, failures: &failures)
                state.add(twins.count, "twins.seen")
                progress.advance(by: twins.count)
                state.cursor = page.continuationToken
                try state.save(statePath)
            }
            progress.end()
            state.phase = "relationships"
            state.cursor = nil
            try state.save(statePath)
        }
        if state.phase == "relationships" {
            progress.begin(
                "relationships", total: reader.twinQuery == nil ? counts.relationships : nil,
                done: state.counts["relationships.seen", default: 0])
            try await reader.forEachRelationshipStep(from: state.cursor) { relationships, next in
                let outcomes = await writer.writeRelationships(relationships)
                tally(outcomes, kind: "relationships", into: &state, failures: &failures)
                state.add(relationships.count, "relationships.seen")
                progress.advance(by: relationships.count)
                state.cursor = next
                try state.save(statePath)
            }
            progress.end()
            state.phase = "decommission"
            state.cursor = nil
            try state.save(statePath)
        }
        if state.phase == "decommission" {
            // Last: twins of a decommissioned model cannot be created.
            let decommissioned = try await reader.models().filter(\.decommissioned).map(\.id)
            let onTarget = try await writer.existingModels()
            let wanted = decommissioned.filter { onTarget[$0].map { !$0.decommissioned } ?? false }
            try await writer.decommission(wanted)
            state.add(wanted.count, "decommissioned")
            state.phase = "done"
            try state.save(statePath)
        }
        return (state, failures)
    }
}

/// Counts a batch's outcomes into the state (`twins`/`relationships` for writes, `unchanged`,
/// `replaced`, `failed`) and keeps the failures' reasons.
func tally(_ outcomes: [GraphWriter.Outcome], kind: String, into state: inout MigrationState, failures: inout [String])
{
    for outcome in outcomes {
        switch outcome {
        case .written: state.add(1, kind)
        case .unchanged: state.add(1, "unchanged")
        case .replaced:
            state.add(1, kind)
            state.add(1, "replaced")
        case .failed(let reason):
            state.add(1, "failed")
            failures.append(reason)
        }
    }
}
