import CMosquitto
import Foundation

/// A `mosquitto` broker of one test's own on a loopback port (Debian's `mosquitto` package).
final class TestBroker: @unchecked Sendable {
    static let executable = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    let port: Int
    private let folder: URL
    private var process: Process?

    init(port: Int) throws {
        self.port = port
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mosquitto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\n".write(
            to: folder.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
    }

    /// A free loopback port.
    static func freePort() async throws -> Int {
        guard let port = Int(try await PrivatePostgres.shell("free_port")) else {
            throw PrivatePostgres.Failure(description: "no free port")
        }
        return port
    }

    /// Starts the broker and waits until it accepts connections.
    func start() async throws {
        guard let executable = Self.executable else {
            throw PrivatePostgres.Failure(description: "mosquitto is not installed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", folder.appendingPathComponent("mosquitto.conf").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(10)
        while !(try await PrivatePostgres.shell("(exec 3<>/dev/tcp/127.0.0.1/\(port)) 2>/dev/null && echo open || true")
            == "open")
        {
            guard ContinuousClock.now < deadline else {
                throw PrivatePostgres.Failure(description: "mosquitto did not start")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops the broker (without waiting on Foundation's exit notification) and removes its folder.
    func stop() {
        if let process { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// An MQTT subscriber (libmosquitto) that records every message on `topic` filter.
final class TestSubscriber: @unchecked Sendable {
    private let lock = NSLock()
    private var client: OpaquePointer?
    private var subscribed = false
    private var received: [(topic: String, payload: String)] = []
    private let filter: String

    init(port: Int, filter: String) {
        self.filter = filter
        _ = mosquitto_lib_init()
        client = mosquitto_new(nil, true, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_callback_set(client) { mosq, object, code in
            guard let object, code == 0 else { return }
            let me = Unmanaged<TestSubscriber>.fromOpaque(object).takeUnretainedValue()
            mosquitto_subscribe(mosq, nil, me.filter, 1)
        }
        mosquitto_subscribe_callback_set(client) { _, object, _, _, _ in
            guard let object else { return }
            let me = Unmanaged<TestSubscriber>.fromOpaque(object).takeUnretainedValue()
            me.lock.withLock { me.subscribed = true }
        }
        mosquitto_message_callback_set(client) { _, object, message in
            guard let object, let message else { return }
            let me = Unmanaged<TestSubscriber>.fromOpaque(object).takeUnretainedValue()
            let topic = String(cString: message.pointee.topic)
            let payload = String(
                decoding: UnsafeRawBufferPointer(
                    start: message.pointee.payload, count: Int(message.pointee.payloadlen)),
                as: UTF8.self)
            me.lock.withLock { me.received.append((topic, payload)) }
        }
        mosquitto_loop_start(client)
        mosquitto_connect_async(client, "127.0.0.1", Int32(port), 30)
    }

    deinit {
        mosquitto_disconnect(client)
        mosquitto_loop_stop(client, true)
        mosquitto_destroy(client)
    }

    var isSubscribed: Bool { lock.withLock { subscribed } }
    var messages: [(topic: String, payload: String)] { lock.withLock { received } }
}
