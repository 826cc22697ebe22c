import ADTWire
import Foundation
import Logging

/// `--log-format json`: one JSON object per line on standard error, for log collectors:
/// `time` (UTC, milliseconds), `level`, `logger`, `message`, the trace and span ids of the
/// request or span being served (``TraceMetadata``), then the line's metadata. Values under a
/// name that says it holds a credential (`authorization`, `token`, `secret`, `password`) are
/// written as `[redacted]`: no code path logs one, and this keeps it so.
public struct JSONLogHandler: LogHandler {
    /// The lowest level written.
    public var logLevel: Logger.Level = .info
    /// Metadata on every line of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Metadata read at each line (the trace and span ids).
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable ([UInt8]) -> Void

    /// A handler writing to standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = TraceMetadata.provider) {
        self.init(label: label, metadataProvider: metadataProvider, write: Self.standardError)
    }

    /// A handler writing each line (newline included) through `write`.
    public init(
        label: String, metadataProvider: Logger.MetadataProvider?, write: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    /// One metadata value of this logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line.
    public func log(event: LogEvent) {
        let (level, message, explicit) = (event.level, event.message, event.metadata)
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let explicit { fields.merge(explicit) { _, new in new } }
        if let error = event.error { fields["error"] = "\(error)" }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: #"{"time":""#.utf8)
        out.append(contentsOf: UTCTimestamp.now(fractionDigits: 3).utf8)
        out.append(contentsOf: #"","level":""#.utf8)
        out.append(contentsOf: level.rawValue.utf8)
        out.append(contentsOf: #"","logger":"#.utf8)
        JSONWriter.write(.string(label), into: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONWriter.write(.string(message.description), into: &out)
        for key in ["trace_id", "span_id"] {
            if let value = fields.removeValue(forKey: key) { append(key, value, to: &out) }
        }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { append(key, value, to: &out) }
        out.append(contentsOf: "}\n".utf8)
        write(out)
    }

    private func append(_ key: String, _ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        JSONWriter.write(.string(key), into: &out)
        out.append(UInt8(ascii: ":"))
        JSONWriter.write(Self.isSecret(key) ? .string("[redacted]") : Self.json(value), into: &out)
    }

    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["authorization", "token", "secret", "password"].contains { lowered.contains($0) }
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value): .string(value.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let entries):
            .object(JSONObject(entries.sorted { $0.key < $1.key }.map { (key: $0.key, value: json($0.value)) }))
        }
    }

    /// One `write(2)` per line, so that lines from several threads never interleave.
    @Sendable static func standardError(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// The trace and span ids a log line carries: those of the current span while tracing is on,
/// else those of the request being served (``RequestTrace``), else none.
public enum TraceMetadata {
    /// Reads the ids when a line is written.
    public static let provider = Logger.MetadataProvider {
        guard let parent = TraceContext.currentTraceparent() ?? RequestTrace.traceparent,
            let parsed = TraceParent(parent)
        else { return [:] }
        return ["trace_id": .string(String(parsed.traceID)), "span_id": .string(String(parsed.spanID))]
    }
}
