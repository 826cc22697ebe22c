import ADTWire
import Foundation
import HTTPTransport
import Logging
import PostgresNIO
import TwinStore

/// Runs one import job: reads the input file line by line, uploads its models as one batch,
/// writes its twins and relationships in batches, and keeps ADT's output log.
///
/// Each commit holds a batch, the job's progress (the last input line applied) and the log
/// lines describing it; the log lines reach the output file after the commit. A job resumed
/// after a crash skips the lines applied and appends the log lines not yet written, so nothing
/// is applied or logged twice. One line's error is logged and the job goes on; a file that is
/// not in the import format, invalid models, or an unreachable input or output fail the job.
struct ImportRunner {
    let context: JobRunContext
    let graph: GraphImport
    let inputs: JobInputPolicy
    let transport: any Transport
    let batchSize: Int

    var logger: Logger { context.logger }

    /// The job's state between commits.
    struct State {
        var linesDone: Int64
        var counts: JSONObject
        var logSeq: Int64
        var logBytes: Int64
        /// Log lines for the next commit.
        var log: [String] = []
        /// Items for the next commit.
        var batch: [GraphImport.Item] = []
        /// The models section, uploaded as one batch when it ends.
        var models: [JSONValue] = []

        func count(_ key: String) -> Int { counts[key]?.numberValue.map { Int($0) } ?? 0 }
        mutating func add(_ n: Int, to key: String) { counts[key] = .integer(Int64(count(key) + n)) }
    }

    func run(_ job: ClaimedJob) async throws {
        var state = State(
            linesDone: job.linesDone, counts: job.counts, logSeq: job.logSeq, logBytes: job.logBytes)
        let output: JobOutputLog
        do {
            output = JobOutputLog(
                location: try inputs.location(job.outputURI ?? ""), transport: transport)
        } catch let error as ServiceError {
            return try await context.finish(
                status: "failed", error: JobFailure(code: error.code.rawValue, message: error.message))
        }
        do {
            if job.linesDone == 0, job.logSeq == 0, job.logBytes == 0 {
                try await output.create()
                state.log.append(line(.info, ["status": "Started"]))
            } else {
                try await flushLog(&state, to: output)
            }
            if job.status == "cancelling" { return try await cancel(&state, output: output) }
            let location = try inputs.location(job.inputURI ?? "")
            let input = try await JobInput(transport: transport).fetch(location)
            defer { if input.temporary { try? FileManager.default.removeItem(atPath: input.path) } }
            if try await importLines(of: input.path, state: &state, output: output) == .cancelled { return }
            try await context.finish(status: "succeeded")
        } catch let failure as JobFailure {
            try await fail(&state, failure, output: output)
        } catch let error as ServiceError {
            try await fail(&state, JobFailure(code: error.code.rawValue, message: error.message), output: output)
        } catch let error as ImportFileError {
            try await fail(
                &state, JobFailure(code: "InvalidImportFile", message: "Line \(error.line): \(error.message)."),
                output: output)
        }
    }

    enum Ending { case done, cancelled }

    /// Reads every line; applies those after the resume point.
    private func importLines(of path: String, state: inout State, output: JobOutputLog) async throws -> Ending {
        guard let file = LineReader(path: path) else {
            throw JobFailure(code: "InputBlobNotFound", message: "The input file cannot be opened.")
        }
        var reader = ImportFileReader()
        var number: Int64 = 0
        while let text = try file.next() {
            number += 1
            let previous = reader.section
            let parsed = try reader.next(text)
            guard number > state.linesDone else { continue }
            switch parsed {
            case .blank, .header:
                continue
            case .section(let section):
                if let previous,
                    try await endSection(previous, through: number - 1, state: &state, output: output)
                        == .cancelled
                {
                    return .cancelled
                }
                if section != .header {
                    state.log.append(line(.info, ["section": .string(section.rawValue), "status": "Started"]))
                }
            case .invalid(let message):
                state.log.append(
                    errorLine(section: reader.section, line: number, id: nil, code: "InvalidArgument", message: message)
                )
                state.add(1, to: "errors")
            case .item(.models, let model):
                state.models.append(.object(model))
            case .item(let section, let item):
                state.batch.append(GraphImport.Item(line: Int(number), value: item))
                if state.batch.count >= batchSize,
                    try await commitBatch(section, through: number, state: &state, output: output) == .cancelled
                {
                    return .cancelled
                }
            }
        }
        guard reader.header != nil else {
            throw ImportFileError(line: Int(number), message: "the file has no Header section")
        }
        // Past the last line: the closing log lines commit with a resume point beyond the file,
        // so a resumed job does not write them again.
        guard number >= state.linesDone else { return .done }
        if let last = reader.section,
            try await endSection(last, through: number, state: &state, output: output) == .cancelled
        {
            return .cancelled
        }
        let summary = JSONObject([
            (key: "models", value: .integer(Int64(state.count("models")))),
            (key: "twins", value: .integer(Int64(state.count("twins")))),
            (key: "relationships", value: .integer(Int64(state.count("relationships")))),
            (key: "errors", value: .integer(Int64(state.count("errors")))),
        ])
        state.log.append(line(.info, ["summary": .object(summary)]))
        state.log.append(line(.info, ["status": "Succeeded"]))
        return try await commitBatch(nil, through: number + 1, state: &state, output: output)
    }

    /// Ends a section at line `number`: writes its last batch (or its models) and logs it.
    private func endSection(_ section: ImportSection, through number: Int64, state: inout State, output: JobOutputLog)
        async throws -> Ending
    {
        switch section {
        case .header:
            return .done
        case .models:
            try await commitModels(through: number, state: &state, output: output)
        case .twins, .relationships:
            if try await commitBatch(section, through: number, state: &state, output: output) == .cancelled {
                return .cancelled
            }
        }
        state.log.append(line(.info, ["section": .string(section.rawValue), "status": "Succeeded"]))
        return .done
    }

    /// Uploads the models section as one batch. Models that exist already with the same
    /// definition are skipped (so a file can be imported again); any other problem fails the job.
    private func commitModels(through number: Int64, state: inout State, output: JobOutputLog) async throws {
        let models = state.models
        state.models = []
        var skipped: [String] = []
        let snapshot: ModelCatalog.Snapshot? = try await context.client.transaction(logger: logger) { connection in
            var fresh: [JSONValue] = []
            let ids = models.compactMap { $0["@id"]?.stringValue }
            let rows = try await connection.tracedQuery(
                "SELECT id, definition::text FROM models WHERE id = ANY(\(ids))", logger: logger)
            var existing: [String: JSONValue] = [:]
            for try await (id, text) in rows.decode((String, String).self) { existing[id] = try JSONParser.parse(text) }
            for model in models {
                guard let id = model["@id"]?.stringValue, let stored = existing[id] else {
                    fresh.append(model)
                    continue
                }
                guard stored == model else {
                    throw JobFailure(
                        code: "ModelIdAlreadyExists",
                        message:
                            "The model \(id) already exists with another definition; delete it or give the new one another version."
                    )
                }
                skipped.append(id)
            }
            var snapshot: ModelCatalog.Snapshot?
            if !fresh.isEmpty {
                do {
                    snapshot = try await graph.addModels(fresh, on: connection)
                } catch let error as ServiceError {
                    let code = error.code.rawValue == "DTDLParserError" ? "DTDLParsingError" : error.code.rawValue
                    throw JobFailure(code: code, message: error.message)
                }
            }
            return snapshot
        }
        if let snapshot { await graph.modelsCommitted(snapshot) }
        state.add(models.count - skipped.count, to: "models")
        for id in skipped {
            state.log.append(
                line(
                    .warning, ["section": "Models", "id": .string(id), "message": "The model exists already; skipped."])
            )
        }
        _ = try await commitBatch(nil, through: number, state: &state, output: output)
    }

    /// Writes the batch of twins or relationships of `section` (none for `nil`), the log lines
    /// and the progress through line `number`, in one commit; then appends the log lines.
    private func commitBatch(_ section: ImportSection?, through number: Int64, state: inout State, output: JobOutputLog)
        async throws -> Ending
    {
        try Task.checkCancellation()
        let batch = state.batch
        state.batch = []
        let before = state
        let (ending, committed) = try await context.client.transaction(logger: logger) { connection in
            var next = before
            if !batch.isEmpty, let section {
                let outcome =
                    section == .twins
                    ? try await graph.addTwins(batch, on: connection)
                    : try await graph.addRelationships(batch, on: connection)
                next.add(outcome.written, to: section == .twins ? "twins" : "relationships")
                next.add(outcome.failures.count, to: "errors")
                for failure in outcome.failures {
                    next.log.append(
                        errorLine(
                            section: section, line: Int64(failure.line), id: failure.id,
                            code: failure.error.code.rawValue, message: failure.error.message))
                }
            }
            let (status, seq) = try await context.recordProgress(
                linesDone: number, counts: next.counts, log: next.log, logSeq: next.logSeq, on: connection)
            next.logSeq = seq
            next.log = []
            next.linesDone = number
            return (status == "cancelling" ? Ending.cancelled : Ending.done, next)
        }
        state = committed
        // Most batches log nothing: only a commit that wrote log lines has any to append.
        if committed.logSeq > before.logSeq { try await flushLog(&state, to: output) }
        if ending == .cancelled { try await cancel(&state, output: output) }
        return ending
    }

    /// Appends the committed log lines not yet in the output, then forgets them.
    private func flushLog(_ state: inout State, to output: JobOutputLog) async throws {
        let rows = try await context.client.tracedQuery(
            "SELECT seq, line FROM job_log WHERE job_id = \(context.jobID) ORDER BY seq", logger: logger)
        var lines: [(Int64, String)] = []
        for try await row in rows.decode((Int64, String).self) { lines.append(row) }
        guard let last = lines.last?.0 else { return }
        var bytes: [UInt8] = []
        for (_, text) in lines {
            bytes.append(contentsOf: text.utf8)
            bytes.append(0x0A)
        }
        try await withRetries { try await output.append(bytes, at: state.logBytes) }
        let newLength = state.logBytes + Int64(bytes.count)
        try await context.client.transaction(logger: logger) { connection in
            let updated = try await connection.tracedQuery(
                """
                UPDATE jobs SET log_bytes = \(newLength)
                WHERE kind = 'import' AND id = \(context.jobID) AND runner = \(context.workerID) RETURNING 1
                """, logger: logger)
            var held = false
            for try await _ in updated { held = true }
            guard held else { throw LostJob() }
            try await connection.tracedQuery(
                "DELETE FROM job_log WHERE job_id = \(context.jobID) AND seq <= \(last)", logger: logger)
        }
        state.logBytes = newLength
    }

    /// Retries the output's transient failures a few times (a blob service answering 500 or
    /// 503, a connection reset), with growing pauses.
    private func withRetries(_ body: () async throws -> Void) async throws {
        var delay: Duration = .milliseconds(200)
        for attempt in 1...5 {
            do {
                return try await body()
            } catch let failure as JobFailure where attempt < 5 {
                logger.debug("output log write failed; retrying", metadata: ["error": "\(failure)"])
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    private func cancel(_ state: inout State, output: JobOutputLog) async throws {
        state.log.append(line(.info, ["status": "Cancelled"]))
        _ = try await context.client.transaction(logger: logger) { connection in
            try await context.recordProgress(
                linesDone: state.linesDone, counts: state.counts, log: state.log, logSeq: state.logSeq, on: connection)
        }
        state.log = []
        try? await flushLog(&state, to: output)
        try await context.finish(status: "cancelled")
    }

    private func fail(_ state: inout State, _ failure: JobFailure, output: JobOutputLog) async throws {
        logger.warning("import job failed", metadata: ["job": "\(context.jobID)", "error": "\(failure)"])
        state.log.append(
            line(
                .error,
                [
                    "status": "Failed",
                    "error": .object(
                        JSONObject([
                            (key: "code", value: .string(failure.code)),
                            (key: "message", value: .string(failure.message)),
                        ])),
                ]))
        let pending = state
        let seq = try? await context.client.transaction(logger: logger) { connection in
            try await context.recordProgress(
                linesDone: pending.linesDone, counts: pending.counts, log: pending.log, logSeq: pending.logSeq,
                on: connection
            ).logSeq
        }
        if let seq {
            state.logSeq = seq
            state.log = []
            try? await flushLog(&state, to: output)
        }
        try await context.finish(status: "failed", error: failure)
    }

    // MARK: Log lines

    enum LogType: String {
        case info = "Info"
        case warning = "Warning"
        case error = "Error"
    }

    /// A line of ADT's output log:
    /// `{"timestamp", "jobId", "jobType": "Import", "logType", "details": {...}}`.
    func line(_ type: LogType, _ details: KeyValuePairs<String, JSONValue>) -> String {
        line(type, JSONObject(details.map { (key: $0.key, value: $0.value) }))
    }

    func line(_ type: LogType, _ details: JSONObject) -> String {
        var object = JSONObject()
        object["timestamp"] = .string(UTCTimestamp.now())
        object["jobId"] = .string(context.jobID)
        object["jobType"] = "Import"
        object["logType"] = .string(type.rawValue)
        object["details"] = .object(details)
        return JSONWriter.string(.object(object))
    }

    /// An error line for one input line: its section, line number, item id, code and message.
    func errorLine(section: ImportSection?, line number: Int64, id: String?, code: String, message: String) -> String {
        var details = JSONObject()
        details["section"] = section.map { .string($0.rawValue) } ?? .null
        details["line"] = .integer(number)
        details["id"] = id.map(JSONValue.string)
        details["code"] = .string(code)
        details["message"] = .string(message)
        return line(.error, details)
    }
}

/// Reads a file's lines without loading it whole (1 MiB at a time).
final class LineReader {
    private let handle: FileHandle
    private var splitter = LineSplitter()
    private var lines: [String] = []
    private var position = 0
    private var atEnd = false

    init?(path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The next line without its line break, or `nil` at the end.
    func next() throws -> Substring? {
        while position == lines.count {
            guard !atEnd else { return nil }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty {
                atEnd = true
                lines = splitter.finish().map { [$0] } ?? []
            } else {
                lines = splitter.feed(chunk)
            }
            position = 0
        }
        defer { position += 1 }
        return Substring(lines[position])
    }
}
