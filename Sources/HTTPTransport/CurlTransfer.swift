import CCurl
import CCurlShims
import ADTWire
import Foundation

/// One request in flight on the multi loop: the request, its continuation, and the response
/// as it arrives. `cancelRequested` and `submitted` are guarded by the loop's lock; the rest
/// is set under the lock by `submit` and then touched only by the loop thread.
final class CurlTransfer: @unchecked Sendable {
    let request: TransportRequest
    var cancelRequested = false
    var submitted = false
    var continuation: CheckedContinuation<TransportResponse, any Error>?

    // Loop thread only.
    var easy: EasyHandle?
    var maxResponseBytes = Int.max
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var exceededLimit = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var bodyBuffer: UnsafeMutableRawBufferPointer?

    init(request: TransportRequest) { self.request = request }

    deinit {
        if let headerList { curl_slist_free_all(headerList) }
        bodyBuffer?.deallocate()
    }

    /// Resumes the caller once; later calls do nothing.
    func finish(_ result: Result<TransportResponse, any Error>) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(with: result)
    }

    /// Sets every option of the easy handle for this request. libcurl copies strings, but not
    /// the header list or the body: those live in this object until the transfer is done.
    func configure(_ easy: EasyHandle, share: UnsafeMutableRawPointer?, configuration: CurlTransport.Configuration)
        throws
    {
        let h = easy.raw
        maxResponseBytes = configuration.maxResponseBytes
        easy.errorBuffer[0] = 0
        let me = Unmanaged.passUnretained(self).toOpaque()

        try check(h, CURLOPT_URL, string: request.url)
        try check(shim_easy_setopt_ptr(h, CURLOPT_ERRORBUFFER, easy.errorBuffer))
        // Only HTTP(S), also on redirects (which are not followed: ADT does not redirect).
        try check(h, CURLOPT_PROTOCOLS_STR, string: "http,https")
        try check(shim_easy_setopt_long(h, CURLOPT_NOSIGNAL, 1))
        try check(shim_easy_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0))
        try check(shim_easy_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1))
        if let share { try check(shim_easy_setopt_ptr(h, CURLOPT_SHARE, share)) }

        // HTTP/2 over TLS when offered (ALPN), HTTP/1.1 in clear text; wait for a multiplexed
        // connection rather than opening a second one to the same host.
        try check(shim_easy_setopt_long(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        if request.url.lowercased().hasPrefix("https:") { try check(shim_easy_setopt_long(h, CURLOPT_PIPEWAIT, 1)) }
        // Accept every content coding libcurl can decode (gzip, deflate, br where built in).
        try check(h, CURLOPT_ACCEPT_ENCODING, string: "")

        // TLS verification on, always; an optional CA bundle replaces the system's.
        try check(shim_easy_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1))
        try check(shim_easy_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = configuration.caFile { try check(h, CURLOPT_CAINFO, string: caFile) }

        let connect = request.connectTimeout ?? configuration.connectTimeout
        let total = request.timeout ?? configuration.requestTimeout
        try check(shim_easy_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, connect.milliseconds))
        try check(shim_easy_setopt_long(h, CURLOPT_TIMEOUT_MS, total.milliseconds))

        switch (request.bypassProxy, configuration.proxy) {
        case (true, _), (_, .none): try check(h, CURLOPT_PROXY, string: "")  // "" disables, env included
        case (false, .url(let url)): try check(h, CURLOPT_PROXY, string: url)
        case (false, .environment): break
        }

        try configureMethodAndBody(h)

        var list: UnsafeMutablePointer<curl_slist>? = nil
        for field in request.headers {
            // "Name;" is libcurl's syntax for a header with an empty value.
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            list = curl_slist_append(list, line)
        }
        // No `Expect: 100-continue` round trip: bodies are small and in memory.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        try check(shim_easy_setopt_ptr(h, CURLOPT_HTTPHEADER, list))

        try check(shim_easy_setopt_data_callback(h, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        try check(shim_easy_setopt_ptr(h, CURLOPT_WRITEDATA, me))
        try check(shim_easy_setopt_data_callback(h, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        try check(shim_easy_setopt_ptr(h, CURLOPT_HEADERDATA, me))
    }

    private func configureMethodAndBody(_ h: UnsafeMutableRawPointer) throws {
        let method = request.method
        if method == .head {
            try check(shim_easy_setopt_long(h, CURLOPT_NOBODY, 1))
            return
        }
        if request.body != nil || method == .post || method == .put || method == .patch {
            // The body goes from memory as POSTFIELDS (which selects POST); other methods are
            // then renamed with CUSTOMREQUEST below. An absent body is sent as Content-Length: 0.
            let bytes = request.body ?? []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            bodyBuffer = buffer
            try check(shim_easy_setopt_off_t(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
            try check(shim_easy_setopt_ptr(h, CURLOPT_POSTFIELDS, buffer.baseAddress))
        } else {
            try check(shim_easy_setopt_long(h, CURLOPT_HTTPGET, 1))
        }
        if method != .get && method != .post {
            try check(h, CURLOPT_CUSTOMREQUEST, string: method.rawValue)
        }
    }

    /// The response, or the failure, once libcurl reports the transfer done.
    func result(code: CURLcode, easy: EasyHandle) -> Result<TransportResponse, any Error> {
        var requestSize = 0
        _ = shim_easy_getinfo_long(easy.raw, CURLINFO_REQUEST_SIZE, &requestSize)
        guard code == CURLE_OK else {
            let detail = String(cString: easy.errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            if exceededLimit {
                return .failure(
                    TransportError(
                        kind: .responseTooLarge, message: "response body larger than \(maxResponseBytes) bytes",
                        requestMayHaveBeenSent: true, curlCode: Int(code.rawValue)))
            }
            return .failure(Self.transportError(code, message: message, requestSize: requestSize))
        }
        var status = 0
        _ = shim_easy_getinfo_long(easy.raw, CURLINFO_RESPONSE_CODE, &status)
        var version = 0
        _ = shim_easy_getinfo_long(easy.raw, CURLINFO_HTTP_VERSION, &version)
        let versionText: String? =
            switch version {
            case CURL_HTTP_VERSION_1_0: "1.0"
            case CURL_HTTP_VERSION_1_1: "1.1"
            case CURL_HTTP_VERSION_2_0: "2"
            case CURL_HTTP_VERSION_3: "3"
            default: nil
            }
        return .success(
            TransportResponse(status: status, headers: HTTPHeaders(headers), body: body, httpVersion: versionText))
    }

    /// Classifies a libcurl failure; `requestSize` (bytes of request sent) tells whether the
    /// server may have seen the request.
    static func transportError(_ code: CURLcode, message: String, requestSize: Int) -> TransportError {
        let sent = requestSize > 0
        let kind: TransportError.Kind
        var mayHaveBeenSent = sent
        switch code {
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR:
            kind = .connect
            mayHaveBeenSent = false
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            CURLE_WEIRD_SERVER_REPLY:
            kind = .connectionLost
            if code == CURLE_GOT_NOTHING { mayHaveBeenSent = true }
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER,
            CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE:
            kind = .tls
            mayHaveBeenSent = false
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            kind = .invalidRequest
            mayHaveBeenSent = false
        default:
            kind = .other
        }
        return TransportError(
            kind: kind, message: message, requestMayHaveBeenSent: mayHaveBeenSent, curlCode: Int(code.rawValue))
    }

    private func check(_ h: UnsafeMutableRawPointer, _ option: CURLoption, string: String) throws {
        try check(string.withCString { shim_easy_setopt_ptr(h, option, $0) })
    }

    private func check(_ code: CURLcode) throws {
        guard code == CURLE_OK else {
            throw TransportError(
                kind: .invalidRequest,
                message: "libcurl rejected an option: " + String(cString: curl_easy_strerror(code)),
                requestMayHaveBeenSent: false, curlCode: Int(code.rawValue))
        }
    }
}

/// A pooled libcurl easy handle and its error buffer.
final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    /// Clears every option for reuse; keeps the handle's caches (libcurl's `curl_easy_reset`).
    func reset() { curl_easy_reset(raw) }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }
}

/// CURLOPT_WRITEFUNCTION: appends body bytes (or passes them to the request's `bodyChunks`);
/// returning less than given aborts the transfer.
private let curlWriteCallback: shim_data_callback = { buffer, size, count, userdata in
    let n = size * count
    guard let buffer, let userdata else { return n }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    if let sink = transfer.request.bodyChunks {
        sink(Array(UnsafeRawBufferPointer(start: buffer, count: n)))
        return n
    }
    if transfer.body.count + n > transfer.maxResponseBytes {
        transfer.exceededLimit = true
        return 0
    }
    transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: n))
    return n
}

/// CURLOPT_HEADERFUNCTION: one header line per call, status lines included. A status line
/// starts a new header block (after `100 Continue` or a proxy's CONNECT answer), so only the
/// final response's fields are kept.
private let curlHeaderCallback: shim_data_callback = { buffer, size, count, userdata in
    let n = size * count
    guard let buffer, let userdata else { return n }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    // Bytes, not Foundation's trimming (an NSString round trip per header line).
    let line = UnsafeRawBufferPointer(start: buffer, count: n)
    if line.starts(with: "HTTP/".utf8) {
        transfer.headers.removeAll()
    } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
        let name = trimmedText(line[..<colon])
        let value = trimmedText(line[(colon + 1)...])
        if !name.isEmpty { transfer.headers.append((name, value)) }
    }
    return n
}

/// The bytes without leading and trailing spaces, tabs, CR and LF, as text.
private func trimmedText(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
    guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(decoding: bytes[first...last], as: UTF8.self)
}
