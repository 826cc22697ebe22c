import ADTWire
@testable import DTDL
import Foundation

/// Locates the shared third-party fixtures (DTDL conformance cases, parser cases, ontologies).
///
/// They live beside the checkout in `../shared/fixtures` (CI lays them there) or wherever
/// `TWINS_FIXTURES_DIR` points. When they are absent, as in a user's clone, the tests that need
/// them are skipped with a message and the tests on the project's own small fixtures still run.
enum Fixtures {
    /// The fixtures folder, or `nil` when it is not there.
    static let root: URL? = {
        if let env = ProcessInfo.processInfo.environment["TWINS_FIXTURES_DIR"], !env.isEmpty {
            let url = URL(fileURLWithPath: env)
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        // Tests/DTDLTests/Fixtures.swift -> package root -> ../shared/fixtures
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// Whether the shared fixtures are present.
    static var available: Bool { root != nil }

    /// The message shown when fixture-based tests are skipped.
    static let skipMessage = "../shared/fixtures not found (set TWINS_FIXTURES_DIR); skipping the official DTDL cases"

    /// A file or folder under the fixtures root.
    static func url(_ relativePath: String) -> URL {
        root!.appendingPathComponent(relativePath)
    }

    /// The JSON files under a fixture folder, recursively, sorted by path.
    static func jsonFiles(under relativePath: String) -> [URL] {
        let base = url(relativePath)
        guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var files: [URL] = []
        for case let u as URL in e where u.pathExtension == "json" { files.append(u) }
        return files.sorted { $0.path < $1.path }
    }

    /// Reads and parses a JSON file (a leading byte-order mark is accepted by the parser).
    static func load(_ url: URL) throws -> JSONValue {
        let data = try Data(contentsOf: url)
        return try JSONParser.parse([UInt8](data))
    }
}
