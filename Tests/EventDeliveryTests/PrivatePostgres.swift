import Foundation

/// A PostgreSQL server of one test's own, in a temporary folder, through scripts/lib/postgres.sh
/// (the test command's own way to run one): for tests that restart the server, which the shared
/// test server must not be.
final class PrivatePostgres: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let folder: String
    let port: Int

    /// The URL of its `postgres` database.
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }

    private init(folder: String, port: Int) {
        self.folder = folder
        self.port = port
    }

    /// Creates and starts a server.
    static func start() async throws -> PrivatePostgres {
        let folder = try await shell("d=$(mktemp -d /tmp/twins-private-db.XXXXXX) && chmod 755 \"$d\" && echo \"$d\"")
        let port = try await shell("free_port")
        guard let number = Int(port) else { throw Failure(description: "no free port: \(port)") }
        let server = PrivatePostgres(folder: folder, port: number)
        _ = try await shell("pg_init '\(folder)' && pg_start '\(folder)' \(number)")
        return server
    }

    /// Stops the server (fast shutdown: connections are closed) and starts it again.
    func restart() async throws {
        _ = try await Self.shell("pg_stop '\(folder)' && pg_start '\(folder)' \(port)")
    }

    /// Stops the server and removes its folder.
    func stop() async {
        _ = try? await Self.shell("pg_stop '\(folder)'; rm -rf '\(folder)'")
    }

    /// Runs `script` in bash with scripts/lib/postgres.sh loaded; returns its trimmed output.
    ///
    /// Through posix_spawn and waitpid rather than Foundation's Process, whose exit notification
    /// did not arrive in a test task here; output goes through files, not pipes, since the server
    /// that `pg_start` leaves running would hold a pipe open.
    @discardableResult
    static func shell(_ script: String) async throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "private-postgres-\(UUID().uuidString)")
        let (out, err) = (base.path + ".out", base.path + ".err")
        defer {
            unlink(out)
            unlink(err)
        }
        let command = "cd '\(repository.path)' && set -e && source scripts/lib/postgres.sh && \(script)"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let parts: [String] = ["/bin/bash", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = parts.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, arguments, environ)
        guard spawned == 0 else { throw Failure(description: "\(script): posix_spawn failed (\(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        // Exited normally with status 0.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            let errors = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            throw Failure(description: "\(script): \(errors)")
        }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
