import Foundation

/// How the gateway delivers notifications to endpoints.
public struct EventDeliveryConfiguration: Sendable {
    /// Partitions of the notifications (by twin id): the unit of order and of sharing between
    /// gateway processes. Fixed, because every process on a database must agree on it; the
    /// migration creates this many lease rows.
    public static let partitionCount = 16

    /// How long a notification is retried before it becomes a dead letter (ADT: 24 hours).
    public var timeToLive: Duration = .seconds(24 * 3600)
    /// The first retry's delay; each further failure doubles it, up to ``maxRetryDelay``, and a
    /// random part of up to half of it is taken off (jitter), so endpoints coming back are not
    /// hit by every process at once.
    public var firstRetryDelay: Duration = .seconds(1)
    /// The longest delay between two attempts.
    public var maxRetryDelay: Duration = .seconds(300)
    /// How long a process holds a partition without renewing it. A process that dies (kill -9)
    /// leaves its partitions to the others after this long.
    public var leaseDuration: Duration = .seconds(15)
    /// How often the outbox and the deliveries are looked at while there is nothing to do; while
    /// there is, the worker goes on at once.
    public var pollInterval: Duration = .milliseconds(50)
    /// The most notifications routed in one transaction.
    public var routingBatchSize = 1000
    /// The timeout of one request to an endpoint.
    public var requestTimeout: Duration = .seconds(30)
    /// The process's name in the lease table (host, process id and a random part).
    public var workerID: String =
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"

    /// The defaults.
    public init() {}

    /// The delay before the next attempt after `attempts` failed ones.
    func retryDelay(afterAttempts attempts: Int) -> Duration {
        let exponent = min(max(attempts - 1, 0), 30)
        let full = min(firstRetryDelay * (1 << exponent), maxRetryDelay)
        return full * Double.random(in: 0.5...1.0)
    }
}
