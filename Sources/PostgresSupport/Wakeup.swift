import Foundation

/// Wakes one worker that polls the database early: whoever queues work signals it, so the
/// worker need not wait for its next poll. A signal with nobody waiting is remembered (once).
public final class Wakeup: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// A wakeup nobody waits on yet.
    public init() {}

    /// Wakes the waiter, or the next one to wait.
    public func signal() {
        lock.lock()
        let w = waiter
        waiter = nil
        if w == nil { pending = true }
        lock.unlock()
        w?.resume()
    }

    /// Returns when signalled, after `timeout`, or when the task is cancelled. One waiter at a
    /// time.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                do {
                    try await Task.sleep(for: timeout)
                    signal()
                } catch {}  // cancelled: woken by a signal already
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    lock.lock()
                    if pending {
                        pending = false
                        lock.unlock()
                        continuation.resume()
                    } else {
                        waiter = continuation
                        lock.unlock()
                    }
                }
            } onCancel: {
                signal()
            }
            group.cancelAll()
        }
        // The timer may have fired as a signal came; drop the leftover so the next wait sleeps.
        // (The caller looks for work right after returning, which covers any signal dropped here.)
        lock.withLock { pending = false }
    }
}
