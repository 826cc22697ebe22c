// Benchmarks, separate from the tests. Run in release mode:
//
//   swift run -c release twins-bench dtdl [FIXTURES_DIR]
//   swift run -c release twins-bench client ENDPOINT TWINS CONCURRENCY SECONDS
//   swift run -c release twins-bench store DATABASE_URL TWINS CONCURRENCY SECONDS driver|store|coalesced [SLOTS]
//
// FIXTURES_DIR defaults to $TWINS_FIXTURES_DIR or ../shared/fixtures (the official ontologies).
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "dtdl":
    let fixtures =
        arguments.dropFirst().first
        ?? ProcessInfo.processInfo.environment["TWINS_FIXTURES_DIR"]
        ?? "../shared/fixtures"
    do {
        try DTDLBenchmark(fixtures: URL(fileURLWithPath: fixtures)).run()
    } catch {
        FileHandle.standardError.write(Data("twins-bench: error: \(error)\n".utf8))
        exit(1)
    }
case "client":
    let rest = Array(arguments.dropFirst())
    guard rest.count == 4, let twins = Int(rest[1]), let concurrency = Int(rest[2]), let seconds = Double(rest[3])
    else {
        FileHandle.standardError.write(Data("usage: twins-bench client ENDPOINT TWINS CONCURRENCY SECONDS\n".utf8))
        exit(2)
    }
    do {
        try await ClientBenchmark(endpoint: rest[0], twins: twins, concurrency: concurrency, seconds: seconds).run()
    } catch {
        FileHandle.standardError.write(Data("twins-bench: error: \(error)\n".utf8))
        exit(1)
    }
case "store":
    let rest = Array(arguments.dropFirst())
    guard rest.count >= 5, let twins = Int(rest[1]), let concurrency = Int(rest[2]), let seconds = Double(rest[3])
    else {
        FileHandle.standardError.write(
            Data(
                "usage: twins-bench store DATABASE_URL TWINS CONCURRENCY SECONDS driver|store|coalesced [SLOTS]\n".utf8)
        )
        exit(2)
    }
    do {
        try await StoreBenchmark(
            databaseURL: rest[0], twins: twins, concurrency: concurrency, seconds: seconds, mode: rest[4],
            slots: rest.count > 5 ? Int(rest[5]) ?? 8 : 8
        ).run()
    } catch {
        FileHandle.standardError.write(Data("twins-bench: error: \(error)\n".utf8))
        exit(1)
    }
default:
    FileHandle.standardError.write(
        Data(
            "usage: twins-bench dtdl [FIXTURES_DIR] | client ENDPOINT TWINS CONCURRENCY SECONDS | store DATABASE_URL TWINS CONCURRENCY SECONDS MODE [SLOTS]\n  dtdl    parse+resolve rate (Willow building) and twin validation rate (RealEstateCore)\n  client  GET twin (bench-1 ... bench-TWINS) through DigitalTwinsClient: requests/s, p50, p99, threads\n  store   GET twin's database path without HTTP (driver, store or coalesced): reads/s, p50, p99, CPU per read\n"
                .utf8))
    exit(2)
}
