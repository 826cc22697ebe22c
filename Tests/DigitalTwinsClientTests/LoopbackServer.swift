import DigitalTwinsClient
import Foundation
import HTTPTransport

#if canImport(Glibc)
    import Glibc
#endif

/// A request as the loopback server received it.
struct RecordedRequest: Sendable {
    var method: String
    /// The request target: path and query, as sent (still percent-encoded).
    var target: String
    var headers: HTTPHeaders
    var body: [UInt8]

    var path: String { String(target.prefix { $0 != "?" }) }
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Query parameters, decoded, in order.
    var query: [(String, String)] {
        guard let q = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: q)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).removingPercentEncoding ?? String($0)
            }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    func queryValues(_ name: String) -> [String] { query.filter { $0.0 == name }.map(\.1) }
}

/// What the server does with a request.
struct Reply: Sendable {
    var status: Int = 200
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// Answer only after this long (other connections are served meanwhile).
    var delay: Duration = .zero
    /// Close the connection without answering.
    var drop = false

    static func json(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> Reply {
        Reply(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
            body: Array(body.utf8))
    }

    static func status(_ status: Int, headers: [(String, String)] = []) -> Reply {
        Reply(status: status, headers: headers)
    }

    static let drop = Reply(drop: true)

    func delayed(_ delay: Duration) -> Reply {
        var copy = self
        copy.delay = delay
        return copy
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests: one thread, `poll(2)` over every
/// connection (so many concurrent clients cost no threads), keep-alive, `Content-Length`
/// bodies. Replies come from a handler given each request and its index; every request is
/// recorded. Stops when released (or on `stop()`).
final class LoopbackServer: Sendable {
    typealias Handler = @Sendable (RecordedRequest, Int) -> Reply

    private let engine: Engine

    /// A server answering with `handler`.
    init(handler: @escaping Handler) throws { engine = try Engine(handler: handler) }

    /// Replies in order; once exhausted, repeats the last one.
    convenience init(script: [Reply]) throws {
        let replies = script
        try self.init { _, index in replies[min(index, replies.count - 1)] }
    }

    deinit { engine.stop() }

    var port: Int { engine.port }
    var url: String { "http://127.0.0.1:\(port)" }
    /// Every request received so far, in arrival order.
    var requests: [RecordedRequest] { engine.requests }
    /// Connections the server has accepted so far.
    var acceptedConnections: Int { engine.accepted }
    /// Stops the thread and closes every socket; waits until done.
    func stop() { engine.stop() }

    /// A port on 127.0.0.1 where nothing listens (bound, then closed).
    static func closedPort() -> Int {
        guard let server = try? LoopbackServer(handler: { _, _ in Reply() }) else { return 9 }
        let port = server.port
        server.stop()
        return port
    }
}

/// The server's socket loop; its thread keeps it alive until stopped.
private final class Engine: @unchecked Sendable {
    typealias Handler = LoopbackServer.Handler

    let port: Int

    private let handler: Handler
    private let listenFD: Int32
    private let wakeFDs: (read: Int32, write: Int32)
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []
    private var acceptedCount = 0
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    private struct Connection {
        var input: [UInt8] = []
        var output: [UInt8] = []
        var pending: (reply: Reply, due: ContinuousClock.Instant)?
    }

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        listenFD = fd
        var pipeFDs: [Int32] = [0, 0]
        pipe(&pipeFDs)
        wakeFDs = (pipeFDs[0], pipeFDs[1])
        let thread = Thread { [self] in run() }
        thread.name = "loopback-server"
        thread.start()
    }

    var requests: [RecordedRequest] { lock.withLock { recorded } }
    var accepted: Int { lock.withLock { acceptedCount } }

    func stop() {
        let first = lock.withLock {
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wakeFDs.write, &byte, 1)
        finished.wait()
        close(wakeFDs.write)
    }

    private func run() {
        var connections: [Int32: Connection] = [:]
        var count = 0
        loop: while true {
            var fds = [
                pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeFDs.read, events: Int16(POLLIN), revents: 0),
            ]
            var nextDue: ContinuousClock.Instant?
            for (fd, connection) in connections {
                var events = Int16(POLLIN)
                if !connection.output.isEmpty { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: fd, events: events, revents: 0))
                if let due = connection.pending?.due { nextDue = min(nextDue ?? due, due) }
            }
            var timeout: Int32 = 1000
            if let nextDue {
                let (s, atto) = (nextDue - .now).components
                timeout = Int32(max(0, min(1000, s * 1000 + atto / 1_000_000_000_000_000)))
            }
            _ = poll(&fds, nfds_t(fds.count), timeout)
            if fds[1].revents != 0 { break loop }
            if fds[0].revents & Int16(POLLIN) != 0 {
                while true {
                    let client = accept(listenFD, nil, nil)
                    if client < 0 { break }
                    lock.withLock { acceptedCount += 1 }
                    _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                    connections[client] = Connection()
                }
            }
            for entry in fds.dropFirst(2) {
                let fd = entry.fd
                guard var connection = connections[fd] else { continue }
                var open = true
                if entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    var buffer = [UInt8](repeating: 0, count: 65_536)
                    let n = read(fd, &buffer, buffer.count)
                    if n > 0 {
                        connection.input.append(contentsOf: buffer[0..<n])
                    } else if n == 0 || errno != EAGAIN {
                        open = false
                    }
                }
                if open, entry.revents & Int16(POLLOUT) != 0, !connection.output.isEmpty {
                    let n = connection.output.withUnsafeBytes {
                        send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                    }
                    if n > 0 { connection.output.removeFirst(n) } else if errno != EAGAIN { open = false }
                }
                if open, let pending = connection.pending, pending.due <= .now {
                    connection.output += Self.serialize(pending.reply)
                    connection.pending = nil
                }
                while open, connection.pending == nil, let request = Self.parse(&connection.input) {
                    lock.withLock { recorded.append(request) }
                    let reply = handler(request, count)
                    count += 1
                    if reply.drop {
                        open = false
                    } else if reply.delay > .zero {
                        connection.pending = (reply, .now + reply.delay)
                    } else {
                        connection.output += Self.serialize(reply)
                    }
                }
                if open {
                    connections[fd] = connection
                } else {
                    close(fd)
                    connections[fd] = nil
                }
            }
        }
        for fd in connections.keys { close(fd) }
        close(listenFD)
        close(wakeFDs.read)
        finished.signal()
    }

    /// Takes one complete request off the front of `input`, if there is one.
    private static func parse(_ input: inout [UInt8]) -> RecordedRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = input.indices.dropLast(3).first(where: { Array(input[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let head = String(decoding: input[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers["Content-Length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard input.count >= bodyStart + length else { return nil }
        let body = Array(input[bodyStart..<bodyStart + length])
        input.removeFirst(bodyStart + length)
        return RecordedRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    private static func serialize(_ reply: Reply) -> [UInt8] {
        var text = "HTTP/1.1 \(reply.status) \(reason(reply.status))\r\n"
        for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
        if !reply.headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            text += "Content-Length: \(reply.body.count)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8) + reply.body
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 412: "Precondition Failed"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// Counts the transport's sends (for retries that never reach a server).
struct CountingTransport: Transport {
    let inner: any Transport
    let counter = Counter()

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        counter.increment()
        return try await inner.send(request)
    }
}

/// A thread-safe counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Threads of this process now (`/proc/self/task`).
func threadCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? -1
}
