import ADTWire
import DTDL
import DeviceLifecycle
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Observability

/// The routes of the functions host: each function under `/api/<name>` behind its keys, and
/// `GET /healthz`.
///
/// One invocation: check the key (401, empty body), read the body up to the limit (413), pass
/// it with the request headers to the function, and send its ``FunctionResponse`` back as it is
/// (status, extra headers, JSON body). Each invocation is logged at info with the function,
/// method, status and duration; never the URL (its `code` parameter is a key), headers or body.
struct FunctionRoutes: Sendable {
    let keys: FunctionKeys
    let maxBodyBytes: Int
    let allocation: AllocationFunction
    let retire: RetireFunction
    let ingest: IngestFunction
    /// `nil` when the host is not part of a bridge: the route answers 404.
    let applyEvents: ApplyEventsFunction?
    /// Where invocations are counted per function and outcome.
    var metrics: ServerMetrics? = nil

    /// Request headers never passed to a function: credentials of the call itself.
    static let withheldHeaders: Set<String> = ["x-functions-key", "authorization", "cookie"]

    static let keyHeader = HTTPField.Name("x-functions-key")!

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("healthz") { _, _ in
            Self.jsonResponse(FunctionResponse(status: 200, body: ["status": "ok"]))
        }
        // The sample's allocation trigger accepts GET and POST; DPS sends POST.
        router.post(.init(FunctionName.allocation.path)) { request, context in
            await invoke(.allocation, request, context)
        }
        router.get(.init(FunctionName.allocation.path)) { request, context in
            await invoke(.allocation, request, context)
        }
        router.get(.init(FunctionName.applyEvents.path)) { request, context in
            await invoke(.applyEvents, request, context)
        }
        for function in [FunctionName.retire, .ingest, .applyEvents] {
            router.post(.init(function.path)) { request, context in
                await invoke(function, request, context)
            }
            // The CloudEvents webhook abuse-protection handshake (Event Grid with the
            // CloudEvents schema sends it to the subscription's URL, key included).
            router.on(.init(function.path), method: .options) { request, context in
                await invoke(function, request, context)
            }
        }
    }

    /// One call of `function`, answered and logged.
    func invoke(_ function: FunctionName, _ request: Request, _ context: some RequestContext) async -> Response {
        let start = ContinuousClock.now
        let (response, note) = await answer(function, request)
        var metadata: Logger.Metadata = [
            "function": "\(function.rawValue)", "method": "\(request.method.rawValue)",
            "status": "\(response.status.code)", "durationMs": "\(Self.milliseconds(since: start))",
        ]
        if let note { metadata["note"] = "\(note)" }
        metrics?.increment(
            "twins_function_invocations_total",
            [("function", function.rawValue), ("outcome", Self.outcome(Int(response.status.code)))])
        context.logger.info("function invoked", metadata: metadata)
        return response
    }

    /// `succeeded` (2xx), `refused` (4xx: bad input, wrong key) or `failed` (5xx: the sender
    /// retries).
    static func outcome(_ status: Int) -> String {
        switch status {
        case 200..<300: "succeeded"
        case 400..<500: "refused"
        default: "failed"
        }
    }

    /// The response to one call, with a short note for the log line when the function was not
    /// reached or its answer asks for a retry.
    private func answer(_ function: FunctionName, _ request: Request) async -> (Response, String?) {
        if !keys.isEmpty {
            let key = FunctionKeys.presented(
                header: request.headers[Self.keyHeader], query: request.uri.queryParameters["code"].map(String.init))
            guard keys.accepts(key, for: function) else {
                // As Azure Functions answers: 401 and no body.
                return (Response(status: .unauthorized), key == nil ? "no function key" : "wrong function key")
            }
        }
        let headers = Self.functionHeaders(request.headers)
        if request.method == .options {
            guard let handshake = InboundDelivery.abuseProtectionResponse(headers: headers) else {
                return (
                    Self.jsonResponse(
                        .badRequest(
                            "OPTIONS is the CloudEvents abuse-protection handshake: it needs a WebHook-Request-Origin header."
                        )),
                    "not a handshake"
                )
            }
            return (Self.headersOnly(handshake), "abuse-protection handshake")
        }
        if function == .applyEvents {
            guard let applyEvents else {
                return (
                    Self.jsonResponse(
                        .error(
                            status: 404, code: "NotFound",
                            message:
                                "This host applies no bridge: start it with --bridge to serve ApplyDigitalTwinsEvents."
                        )), "bridge not configured"
                )
            }
            if request.method == .get { return (Self.jsonResponse(applyEvents.status()), nil) }
        }
        let body: [UInt8]
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let refusal): return (Self.jsonResponse(refusal.response), refusal.note)
        }
        let result: FunctionResponse
        switch function {
        case .allocation: result = await allocation.handle(body: body)
        case .retire: result = await retire.handle(body: body, headers: headers)
        case .ingest: result = await ingest.handle(body: body, headers: headers)
        case .applyEvents: result = await applyEvents!.handle(body: body, headers: headers)
        }
        return (Self.jsonResponse(result), result.shouldRetry ? "the sender should retry" : nil)
    }

    /// Why a body was not read.
    struct BodyRefusal: Error {
        var response: FunctionResponse
        var note: String
    }

    /// The whole body, refused beyond ``maxBodyBytes`` (by `Content-Length` before reading
    /// anything, else while reading).
    private func readBody(_ request: Request) async -> Result<[UInt8], BodyRefusal> {
        let tooLarge = BodyRefusal(
            response: .error(
                status: 413, code: "PayloadTooLarge",
                message: "The request body is larger than the \(maxBodyBytes) bytes this host accepts."),
            note: "body too large")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            return .failure(tooLarge)
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: maxBodyBytes)
            return .success(Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failure(tooLarge)
        } catch {
            return .failure(
                BodyRefusal(
                    response: .badRequest("The request body could not be read: \(error)."), note: "body unreadable"))
        }
    }

    /// The request headers as the functions take them: lower-case names, repeated fields
    /// joined with `, `, without the call's own credentials.
    static func functionHeaders(_ fields: HTTPFields) -> [String: String] {
        var headers: [String: String] = [:]
        for field in fields {
            let name = field.name.canonicalName
            if withheldHeaders.contains(name) { continue }
            if let existing = headers[name] {
                headers[name] = existing + ", " + field.value
            } else {
                headers[name] = field.value
            }
        }
        return headers
    }

    /// A function's answer as an HTTP response: its status, `Content-Type: application/json`,
    /// its extra headers and its JSON body.
    static func jsonResponse(_ result: FunctionResponse) -> Response {
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        add(result.headers, to: &fields)
        return Response(
            status: .init(code: result.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: result.bodyBytes)))
    }

    /// A function's status and extra headers without a body (the abuse-protection handshake).
    static func headersOnly(_ result: FunctionResponse) -> Response {
        var fields = HTTPFields()
        add(result.headers, to: &fields)
        return Response(status: .init(code: result.status), headers: fields)
    }

    private static func add(_ headers: [String: String], to fields: inout HTTPFields) {
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields[fieldName] = value
        }
    }

    /// Milliseconds since `start`, with one decimal.
    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let ms = start.duration(to: .now).seconds * 1000
        return (ms * 10).rounded() / 10
    }
}
