import ADTWire
import Logging
import PostgresNIO
import TwinStore

/// Runs one delete job: deletes every relationship, then every twin, then every model, in
/// batches (each batch one commit, with its `Delete` notifications), until the graph is empty
/// or the job's time limit passes (the job then fails, with no rollback, as ADT's does).
struct DeletionRunner {
    let context: JobRunContext
    let deletion: GraphDeletion
    let graph: GraphImport
    let batchSize: Int

    func run(_ job: ClaimedJob) async throws {
        let limit = Double((job.timeoutMinutes ?? JobStore.defaultDeleteTimeout) * 60)
        let started = ContinuousClock.now
        var counts = job.counts
        func overTime() -> Bool {
            job.ageSeconds + Double((ContinuousClock.now - started).components.seconds) > limit
        }
        while true {
            try Task.checkCancellation()
            if overTime() {
                return try await context.finish(
                    status: "failed",
                    error: JobFailure(
                        code: "TimeoutError",
                        message:
                            "The delete job did not finish within \(Int(limit / 60)) minutes; what it deleted stays deleted."
                    ))
            }
            let step = counts
            let (deleted, newCounts, remains) = try await context.client.transaction(logger: context.logger) {
                connection in
                var counts = step
                var deleted = try await deletion.deleteRelationships(limit: batchSize, on: connection)
                Self.add(deleted, to: "relationships", in: &counts)
                var remains = true
                if deleted == 0 {
                    deleted = try await deletion.deleteTwins(limit: batchSize, on: connection)
                    Self.add(deleted, to: "twins", in: &counts)
                    if deleted == 0 {
                        remains = try await deletion.graphRemains(on: connection)
                        if !remains {
                            Self.add(try await deletion.deleteModels(on: connection), to: "models", in: &counts)
                        }
                    }
                }
                _ = try await context.recordProgress(
                    linesDone: 0, counts: counts, log: [], logSeq: 0, on: connection)
                return (deleted, counts, remains)
            }
            counts = newCounts
            if !remains { break }
            if deleted == 0 {
                // Rows locked by concurrent writers: let them finish.
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        try await context.finish(status: "succeeded")
    }

    static func add(_ n: Int, to key: String, in counts: inout JSONObject) {
        counts[key] = .integer(Int64((counts[key]?.numberValue.map { Int($0) } ?? 0) + n))
    }
}
