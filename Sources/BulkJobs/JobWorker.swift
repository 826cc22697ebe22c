import ADTWire
import Foundation
import HTTPTransport
import Logging
import PostgresNIO
import PostgresSupport
import ServiceLifecycle
import TwinStore

/// How the gateway runs bulk jobs.
public struct JobsConfiguration: Sendable {
    /// Where `file://` inputs and logs may be.
    public var inputs = JobInputPolicy()
    /// How long a process holds a job without renewing its claim; a process that dies (kill -9)
    /// leaves its job to another (or to itself, restarted) after this long.
    public var leaseDuration: Duration = .seconds(15)
    /// How often the worker looks for a job while there is none.
    public var pollInterval: Duration = .seconds(1)
    /// Twins or relationships written (or deleted) per transaction: large enough that the
    /// per-statement cost vanishes, small enough that a cancel or a crash loses little.
    public var batchSize = 2000
    /// The process's name in the job's `runner` column.
    public var workerID: String =
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"

    /// The defaults.
    public init() {}
}

/// A job this process holds.
struct ClaimedJob: Sendable {
    let kind: JobStore.Kind
    let id: String
    let status: String
    let inputURI: String?
    let outputURI: String?
    let timeoutMinutes: Int?
    let ageSeconds: Double
    let linesDone: Int64
    let counts: JSONObject
    let logBytes: Int64
    let logSeq: Int64
}

/// The job's state lost to another process (this one's claim lapsed): stop without writing.
struct LostJob: Error {}

/// Runs bulk jobs in every gateway process: claims the oldest active job nobody holds (or whose
/// holder stopped renewing), runs it batch by batch, and renews the claim while it does. Every
/// batch commits with the job's progress and is fenced by the claim, so a job taken over after
/// a crash resumes where the last commit left it, and a process that lost its claim cannot write.
public struct JobWorker: Service {
    let client: PostgresClient
    let configuration: JobsConfiguration
    let graph: GraphImport
    let deletion: GraphDeletion
    let transport: any Transport
    let wakeup: Wakeup
    let logger: Logger

    /// A worker over `client`; `wakeup` lets the job routes start a new job at once.
    public init(
        client: PostgresClient, catalog: ModelCatalog, configuration: JobsConfiguration, eventSource: String,
        transport: any Transport = CurlTransport.shared, wakeup: Wakeup, logger: Logger
    ) {
        self.client = client
        self.configuration = configuration
        self.graph = GraphImport(client: client, catalog: catalog, logger: logger, eventSource: eventSource)
        self.deletion = GraphDeletion(logger: logger, eventSource: eventSource)
        self.transport = transport
        self.wakeup = wakeup
        self.logger = logger
    }

    /// Claims and runs jobs until graceful shutdown; a job being run then is released (its
    /// progress is committed) for the next process to resume.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var nextPurge = ContinuousClock.now
            while !Task.isCancelled {
                var ranOne = false
                do {
                    // Expired records go once a minute, not at every look for work.
                    if ContinuousClock.now >= nextPurge {
                        try await purge()
                        nextPurge = .now + .seconds(60)
                    }
                    if let job = try await claim() {
                        // A run that ended (done, failed, cancelled) looks for the next job at
                        // once; one interrupted by an error waits a poll before trying again.
                        ranOne = await runHoldingClaim(job)
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("bulk jobs: \(databaseErrorMessage(error))")
                }
                if !ranOne { await wakeup.wait(timeout: configuration.pollInterval) }
            }
        }
    }

    /// Takes the oldest active job that nobody holds or whose holder's claim lapsed.
    func claim() async throws -> ClaimedJob? {
        let lease = Int64(configuration.leaseDuration.components.seconds)
        let rows = try await client.tracedQuery(
            """
            UPDATE jobs SET runner = \(configuration.workerID), heartbeat_at = clock_timestamp(),
                status = CASE status WHEN 'notstarted' THEN 'running' ELSE status END,
                last_action_at = CASE status WHEN 'notstarted' THEN clock_timestamp() ELSE last_action_at END
            WHERE (kind, id) = (
                SELECT kind, id FROM jobs
                WHERE status IN ('notstarted', 'running', 'cancelling')
                    AND (runner IS NULL OR heartbeat_at < clock_timestamp() - make_interval(secs => \(lease)))
                ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING kind, id, status, input_uri, output_uri, timeout_minutes,
                extract(epoch FROM clock_timestamp() - created_at)::float8, lines_done, counts::text, log_bytes, log_seq
            """, logger: logger)
        for try await row in rows.decode(
            (String, String, String, String?, String?, Int?, Double, Int64, String, Int64, Int64).self)
        {
            let counts = (try? JSONParser.parse(row.8).objectValue) ?? nil
            return ClaimedJob(
                kind: JobStore.Kind(rawValue: row.0) ?? .import, id: row.1, status: row.2, inputURI: row.3,
                outputURI: row.4, timeoutMinutes: row.5, ageSeconds: row.6, linesDone: row.7,
                counts: counts ?? JSONObject(), logBytes: row.9, logSeq: row.10)
        }
        return nil
    }

    /// Runs the job while a side task renews the claim; when the claim is lost the run stops.
    /// Returns whether the run ended the job.
    func runHoldingClaim(_ job: ClaimedJob) async -> Bool {
        logger.info("bulk job started", metadata: ["job": "\(job.id)", "kind": "\(job.kind.rawValue)"])
        let runner = JobRunContext(
            client: client, jobID: job.id, kind: job.kind, workerID: configuration.workerID, logger: logger)
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    switch job.kind {
                    case .import:
                        try await ImportRunner(
                            context: runner, graph: graph, inputs: configuration.inputs, transport: transport,
                            batchSize: configuration.batchSize
                        ).run(job)
                    case .delete:
                        try await DeletionRunner(
                            context: runner, deletion: deletion, graph: graph, batchSize: configuration.batchSize
                        ).run(job)
                    }
                    return true
                } catch is LostJob {
                    logger.warning("bulk job taken over by another process", metadata: ["job": "\(job.id)"])
                } catch is CancellationError {
                    await runner.release()
                } catch {
                    logger.warning(
                        "bulk job interrupted; it resumes from its last batch",
                        metadata: ["job": "\(job.id)", "error": "\(databaseErrorMessage(error))"])
                    await runner.release()
                }
                return false
            }
            group.addTask {
                // Renews the claim; a lapsed claim (another process took the job) stops the run.
                while !Task.isCancelled {
                    try? await Task.sleep(for: configuration.leaseDuration / 3)
                    if Task.isCancelled { return false }
                    if await runner.renew() == false { return false }
                }
                return false
            }
            let ended = await group.next() ?? false
            group.cancelAll()
            return ended
        }
    }

    /// Removes the records of finished jobs past their purge time.
    func purge() async throws {
        try await client.tracedQuery(
            """
            DELETE FROM jobs WHERE purge_at < clock_timestamp()
                AND status NOT IN ('notstarted', 'running', 'cancelling')
            """, logger: logger)
    }
}

/// The claimed job's row: progress commits, fenced by the claim, and its end.
struct JobRunContext: Sendable {
    let client: PostgresClient
    let jobID: String
    let kind: JobStore.Kind
    let workerID: String
    let logger: Logger

    /// Records progress in the caller's transaction; returns the job's status (`cancelling`
    /// when a cancel arrived). Throws ``LostJob`` when this process no longer holds the job.
    func recordProgress(
        linesDone: Int64, counts: JSONObject, log: [String], logSeq: Int64, on connection: PostgresConnection
    ) async throws -> (status: String, logSeq: Int64) {
        var seq = logSeq
        if !log.isEmpty {
            let seqs = log.indices.map { logSeq + 1 + Int64($0) }
            seq = logSeq + Int64(log.count)
            try await connection.tracedQuery(
                "INSERT INTO job_log (job_id, seq, line) SELECT \(jobID), * FROM unnest(\(seqs)::bigint[], \(log)::text[])",
                logger: logger)
        }
        let rows = try await connection.tracedQuery(
            """
            UPDATE jobs SET lines_done = \(linesDone), counts = \(JSONWriter.string(.object(counts)))::json,
                log_seq = \(seq), last_action_at = clock_timestamp(), heartbeat_at = clock_timestamp()
            WHERE kind = \(kind.rawValue) AND id = \(jobID) AND runner = \(workerID)
            RETURNING status
            """, logger: logger)
        for try await status in rows.decode(String.self) { return (status, seq) }
        throw LostJob()
    }

    /// Ends the job: `succeeded`, `failed` (with ADT's error object) or `cancelled`.
    func finish(status: String, error: JobFailure? = nil) async throws {
        let errorJSON = error.map {
            JSONWriter.string(
                .object(
                    JSONObject([(key: "code", value: .string($0.code)), (key: "message", value: .string($0.message))])))
        }
        let rows = try await client.tracedQuery(
            """
            UPDATE jobs SET status = \(status), error = \(errorJSON)::json, finished_at = clock_timestamp(),
                last_action_at = clock_timestamp(), purge_at = clock_timestamp() + interval '30 days', runner = NULL
            WHERE kind = \(kind.rawValue) AND id = \(jobID) AND runner = \(workerID)
            RETURNING 1
            """, logger: logger)
        for try await _ in rows {
            logger.info("bulk job ended", metadata: ["job": "\(jobID)", "status": "\(status)"])
            return
        }
        throw LostJob()
    }

    /// Renews the claim; `false` when another process holds the job now.
    func renew() async -> Bool? {
        do {
            let rows = try await client.tracedQuery(
                """
                UPDATE jobs SET heartbeat_at = clock_timestamp()
                WHERE kind = \(kind.rawValue) AND id = \(jobID) AND runner = \(workerID) RETURNING 1
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        } catch {
            return nil  // the database is away: keep going, the batches will tell
        }
    }

    /// Lets go of the job (graceful shutdown or a failure to retry): it stays active, and the
    /// next worker to look resumes it from its last commit.
    func release() async {
        // Outside the caller's task: at shutdown that task is cancelled, and a cancelled task's
        // query would not run. At most 2 s: a database that is gone must not hold up the
        // shutdown (the claim then simply lapses).
        let (client, kind, jobID, workerID, logger) = (client, kind, jobID, workerID, logger)
        await Task.detached {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try? await client.tracedQuery(
                        "UPDATE jobs SET runner = NULL WHERE kind = \(kind.rawValue) AND id = \(jobID) AND runner = \(workerID)",
                        logger: logger)
                }
                group.addTask { try? await Task.sleep(for: .seconds(2)) }
                await group.next()
                group.cancelAll()
            }
        }.value
    }
}
