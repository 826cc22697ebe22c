import CCurl
import CCurlShims
import Foundation
import Logging

/// A transport's thread as tests see it: how many were started, and whether one runs now.
/// Outlives the transport, so that a test can watch a released transport's thread end.
package final class CurlThreadRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var startedCount = 0
    private var runningNow = false
    /// Threads the transport has started.
    package var started: Int { lock.withLock { startedCount } }
    /// Whether its thread is running.
    package var running: Bool { lock.withLock { runningNow } }
    func set(running: Bool) {
        lock.withLock {
            if running { startedCount += 1 }
            runningNow = running
        }
    }
}

/// The engine of ``CurlTransport``: a curl multi handle and the one thread that drives it.
///
/// Callers hand transfers over under `lock` and wake the thread with `curl_multi_wakeup`; the
/// thread adds them to the multi handle, runs `curl_multi_perform`, resumes the callers of
/// finished transfers, and sleeps in `curl_multi_poll` until sockets, timers or a wake-up need
/// it. All libcurl handles are used on this thread only.
final class CurlMultiLoop: @unchecked Sendable {
    private let configuration: CurlTransport.Configuration
    private var logger: Logger { configuration.logger }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var incoming: [CurlTransfer] = []
    private var cancelled: [CurlTransfer] = []
    private var state = State.idle
    private var multi: UnsafeMutableRawPointer?

    private enum State { case idle, running, stopping, stopped }

    // Loop thread only.
    private var share: UnsafeMutableRawPointer?
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [EasyHandle] = []

    /// The multi handle, moved to the loop thread once (it is used there only).
    private struct MultiHandle: @unchecked Sendable { let raw: UnsafeMutableRawPointer }

    /// This loop's thread, for tests.
    let threadRecord = CurlThreadRecord()

    init(configuration: CurlTransport.Configuration) {
        self.configuration = configuration
    }

    /// Queues a transfer (starting the thread on first use) and wakes the loop.
    func submit(_ transfer: CurlTransfer, _ continuation: CheckedContinuation<TransportResponse, any Error>) {
        let failure: (any Error)? = lock.withLock {
            if transfer.cancelRequested { return CancellationError() }
            switch state {
            case .stopping, .stopped:
                return TransportError(
                    kind: .shutdown, message: "the transport was shut down", requestMayHaveBeenSent: false)
            case .idle:
                if let error = startLocked() { return error }
            case .running:
                break
            }
            transfer.continuation = continuation
            transfer.submitted = true
            incoming.append(transfer)
            wakeLocked()
            return nil
        }
        if let failure { continuation.resume(throwing: failure) }
    }

    /// Asks the loop to abort a transfer; harmless when it has already finished.
    func cancel(_ transfer: CurlTransfer) {
        lock.withLock {
            transfer.cancelRequested = true
            // Not yet submitted: `submit` sees the flag and fails it with CancellationError.
            guard transfer.submitted else { return }
            cancelled.append(transfer)
            wakeLocked()
        }
    }

    /// Stops the thread after failing every pending transfer.
    func shutdown() {
        lock.withLock {
            switch state {
            case .idle: state = .stopped
            case .running:
                state = .stopping
                wakeLocked()
            case .stopping, .stopped: break
            }
        }
    }

    private func wakeLocked() {
        if let multi, state == .running || state == .stopping { _ = curl_multi_wakeup(multi) }
    }

    /// Creates the handles and the thread; called under `lock`.
    private func startLocked() -> (any Error)? {
        guard let multi = curl_multi_init() else {
            return TransportError(kind: .other, message: "curl_multi_init failed", requestMayHaveBeenSent: false)
        }
        // Multiplex HTTP/2 streams over one connection per host.
        _ = shim_multi_setopt_long(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX)
        if configuration.maxConnectionsPerHost > 0 {
            _ = shim_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        }
        // Connections live in the multi handle's cache; the share handle adds TLS session ids
        // and DNS results across easy handles. Used by this loop's thread only: no lock callbacks.
        share = curl_share_init()
        if let share {
            _ = shim_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
            _ = shim_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
        }
        self.multi = multi
        state = .running
        let handle = MultiHandle(raw: multi)
        let record = threadRecord
        record.set(running: true)
        let thread = Thread { [self] in
            // Named for /proc, `top -H` and debuggers (Foundation's `Thread.name` does not
            // reach the OS thread on Linux).
            shim_set_current_thread_name("curl-multi")
            run(handle.raw)
            record.set(running: false)
        }
        thread.name = "curl-multi"
        thread.start()
        logger.debug("curl transport started", metadata: ["curl": "\(CurlTransport.curlVersion)"])
        return nil
    }

    private func run(_ multi: UnsafeMutableRawPointer) {
        while true {
            let (added, aborted, stopping) = lock.withLock {
                defer {
                    incoming.removeAll(keepingCapacity: true)
                    cancelled.removeAll(keepingCapacity: true)
                }
                return (incoming, cancelled, state == .stopping)
            }
            if stopping {
                tearDown(multi, notStarted: added)
                return
            }
            for transfer in added { start(transfer, multi) }
            for transfer in aborted { abort(transfer, multi) }

            var running: Int32 = 0
            let code = curl_multi_perform(multi, &running)
            if code != CURLM_OK {
                logger.error(
                    "curl_multi_perform failed", metadata: ["error": "\(String(cString: curl_multi_strerror(code)))"])
            }
            collectFinished(multi)
            // With nothing in flight, sleep until woken; otherwise libcurl shortens the wait to
            // its own next timer, so 1 s only bounds a missed wake-up.
            let timeout: Int32 = active.isEmpty ? 60_000 : 1_000
            _ = curl_multi_poll(multi, nil, 0, timeout, nil)
        }
    }

    private func start(_ transfer: CurlTransfer, _ multi: UnsafeMutableRawPointer) {
        if lock.withLock({ transfer.cancelRequested }) {
            transfer.finish(.failure(CancellationError()))
            return
        }
        guard let easy = idleHandles.popLast() ?? EasyHandle() else {
            transfer.finish(
                .failure(TransportError(kind: .other, message: "curl_easy_init failed", requestMayHaveBeenSent: false)))
            return
        }
        do {
            try transfer.configure(easy, share: share, configuration: configuration)
        } catch {
            recycle(easy)
            transfer.finish(.failure(error))
            return
        }
        let code = curl_multi_add_handle(multi, easy.raw)
        guard code == CURLM_OK else {
            recycle(easy)
            let message = "curl_multi_add_handle: " + String(cString: curl_multi_strerror(code))
            transfer.finish(.failure(TransportError(kind: .other, message: message, requestMayHaveBeenSent: false)))
            return
        }
        transfer.easy = easy
        active[easy.raw] = transfer
    }

    private func abort(_ transfer: CurlTransfer, _ multi: UnsafeMutableRawPointer) {
        guard let easy = transfer.easy, active.removeValue(forKey: easy.raw) != nil else { return }
        _ = curl_multi_remove_handle(multi, easy.raw)
        transfer.easy = nil
        recycle(easy)
        transfer.finish(.failure(CancellationError()))
    }

    private func collectFinished(_ multi: UnsafeMutableRawPointer) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            // Copy out before removing the handle: the message is freed with it.
            guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            guard let transfer = active.removeValue(forKey: raw), let easy = transfer.easy else {
                _ = curl_multi_remove_handle(multi, raw)
                continue
            }
            let result = transfer.result(code: code, easy: easy)
            _ = curl_multi_remove_handle(multi, raw)
            transfer.easy = nil
            recycle(easy)
            transfer.finish(result)
        }
    }

    /// Keeps a handle for the next request, up to the pool's limit.
    private func recycle(_ easy: EasyHandle) {
        easy.reset()
        if idleHandles.count < configuration.maxIdleHandles { idleHandles.append(easy) }
    }

    /// Fails every transfer not yet done and frees the handles.
    private func tearDown(_ multi: UnsafeMutableRawPointer, notStarted: [CurlTransfer]) {
        let pending = lock.withLock {
            state = .stopped
            self.multi = nil
            defer { incoming.removeAll() }
            return notStarted + incoming
        }
        let shutdown = TransportError(
            kind: .shutdown, message: "the transport was shut down", requestMayHaveBeenSent: true)
        for (raw, transfer) in active {
            _ = curl_multi_remove_handle(multi, raw)
            transfer.easy = nil
            transfer.finish(.failure(shutdown))
        }
        active.removeAll()
        for transfer in pending {
            var error = shutdown
            error.requestMayHaveBeenSent = false
            transfer.finish(.failure(error))
        }
        idleHandles.removeAll()
        _ = curl_multi_cleanup(multi)
        if let share { _ = curl_share_cleanup(share) }
        logger.debug("curl transport stopped")
    }
}
