import Instrumentation
import Synchronization
import Tracing

/// Tracing as the whole process sees it: off until the executable bootstraps a tracer (an OTLP
/// exporter) into `InstrumentationSystem`; then every request, SQL statement, outgoing HTTP call
/// and event delivery is a span. While off, no span is made at all, so tracing costs nothing.
public enum TraceContext {
    private static let enabled = Atomic<Bool>(false)

    /// Whether spans are recorded (a tracer was bootstrapped).
    public static var isTracing: Bool { enabled.load(ordering: .relaxed) }

    /// Marks tracing on; call once, right after `InstrumentationSystem.bootstrap`.
    public static func tracingStarted() { enabled.store(true, ordering: .relaxed) }

    /// The W3C `traceparent` of the current span, when tracing is on and a span is current.
    public static func currentTraceparent() -> String? {
        guard isTracing, let context = InstrumentationContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"]
    }

    /// A context holding the span that `traceparent` names (to link to it), or `nil` when tracing
    /// is off or the value is not a trace context.
    public static func context(fromTraceparent traceparent: String) -> InstrumentationContext? {
        guard isTracing, TraceParent(traceparent) != nil else { return nil }
        var context = InstrumentationContext.topLevel
        InstrumentationSystem.instrument.extract(
            ["traceparent": traceparent], into: &context, using: DictionaryExtractor())
        return context
    }

    /// Runs `body` in a span of `kind` when tracing is on, else just runs it.
    public static func withSpan<T>(
        _ name: String, ofKind kind: SpanKind = .internal, isolation: isolated (any Actor)? = #isolation,
        _ body: (any Span) async throws -> T
    ) async rethrows -> T {
        guard isTracing else { return try await body(NoOpTracer.NoOpSpan(context: .topLevel)) }
        return try await Tracing.withSpan(name, ofKind: kind, isolation: isolation, body)
    }
}

/// A parsed W3C `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`).
public struct TraceParent: Sendable, Equatable {
    /// The 32 hex digits of the trace id.
    public let traceID: Substring
    /// The 16 hex digits of the parent span id.
    public let spanID: Substring

    /// Parses a `traceparent`; `nil` when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16,
            parts[3].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isHexDigit) })
        else { return nil }
        traceID = parts[1]
        spanID = parts[2]
    }
}

/// The request's trace context, as the gateway answers it (`traceresponse`) and as its change
/// notifications carry it (`traceparent`): the request span's when tracing is on, else one made
/// from the caller's trace id. Log lines written while it is set carry its trace and span ids.
public enum RequestTrace {
    /// The request's `traceparent`, while a request is served.
    @TaskLocal public static var traceparent: String?

    /// The trace context of a request that carried `callerTraceparent` (or none):
    /// the current span's while tracing is on; else `00-<trace id>-<new span id>-01` with the
    /// caller's trace id when it sent a valid one, else a new one.
    public static func make(callerTraceparent: String?) -> String {
        if let current = TraceContext.currentTraceparent() { return current }
        let traceID =
            callerTraceparent.flatMap(TraceParent.init).map { $0.traceID.lowercased() } ?? randomHex(bytes: 16)
        return "00-\(traceID)-\(randomHex(bytes: 8))-01"
    }

    /// Random hex digits, from whole 64-bit random numbers (one system random call per eight
    /// bytes rather than one per byte: this runs on every request).
    static func randomHex(bytes: Int) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes * 2)
        var remaining = bytes
        while remaining > 0 {
            var word = UInt64.random(in: .min ... .max)
            for _ in 0..<min(8, remaining) {
                out.append(digits[Int(word >> 4 & 0xF)])
                out.append(digits[Int(word & 0xF)])
                word >>= 8
            }
            remaining -= 8
        }
        return String(decoding: out, as: UTF8.self)
    }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
