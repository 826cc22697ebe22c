import DigitalTwinsClient
import Foundation

/// GET twin through `DigitalTwinsClient` at a fixed number of concurrent calls for a fixed time:
/// requests/s, p50 and p99, and the threads the process used (the client drives every call from
/// one curl thread).
struct ClientBenchmark {
    let endpoint: String
    let twins: Int
    let concurrency: Int
    let seconds: Double

    func run() async throws {
        let client = try DigitalTwinsClient(endpoint: endpoint)
        // Warm up: one call per connection.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<concurrency { group.addTask { _ = try await client.getTwin(id: "bench-\(i % twins + 1)") } }
            try await group.waitForAll()
        }
        let threadsBefore = Self.threadCount()
        let start = Date()
        let deadline = start.addingTimeInterval(seconds)
        let sampler = Task {
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, Self.threadCount())
                try? await Task.sleep(for: .milliseconds(200))
            }
            return peak
        }
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var own: [Double] = []
                    var generator = SystemRandomNumberGenerator()
                    while Date() < deadline {
                        let id = "bench-\(Int.random(in: 1...twins, using: &generator))"
                        let began = DispatchTime.now().uptimeNanoseconds
                        _ = try await client.getTwin(id: id)
                        own.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
                    }
                    _ = worker
                    return own
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = Date().timeIntervalSince(start)
        sampler.cancel()
        let peakThreads = await sampler.value
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        print(
            String(
                format: "RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f threads_before=%d threads_peak=%d",
                sorted.count, Double(sorted.count) / elapsed, percentile(0.5), percentile(0.99), threadsBefore,
                peakThreads))
    }

    /// Threads of this process.
    static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }
}
