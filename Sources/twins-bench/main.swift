// Benchmarks, separate from the tests. Run in release mode:
//
//   swift run -c release twins-bench dtdl [FIXTURES_DIR]
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
default:
    FileHandle.standardError.write(
        Data("usage: twins-bench dtdl [FIXTURES_DIR]\n  dtdl  parse+resolve rate (Willow building) and twin validation rate (RealEstateCore)\n".utf8))
    exit(2)
}
