import Foundation

/// Where a migration command stands, saved in a file (`--resume STATE`) so an interrupted run
/// continues where it stopped: the phase, the page being worked on (a query's continuation
/// token, or a line of the input file), and the counts so far.
///
/// It is written after every completed page (atomically: a new file renamed over the old), so
/// it may lag behind by at most one page of writes; those are repeated without effect, because
/// every write creates only what is missing (see ``GraphWriter``).
public struct MigrationState: Codable, Sendable, Equatable {
    /// `models`, `twins`, `relationships`, `decommission` or `done`.
    public var phase: String = "models"
    /// The query cursor of the next page to work on (`nil`: the phase's first page).
    public var cursor: String?
    /// Import from a file: the input lines fully applied.
    public var linesDone: Int = 0
    /// Export: the bytes of the output file that hold completed pages.
    public var bytesWritten: Int64 = 0
    /// What the run saw and did: `models`, `twins`, `relationships` written, `unchanged`,
    /// `replaced`, `failed`.
    public var counts: [String: Int] = [:]
    /// The command and its endpoints, so a state file is not used for another run.
    public var command: String = ""

    /// A fresh state for `command`.
    public init(command: String) { self.command = command }

    /// The state in `path`, or a fresh one when the file does not exist. Refuses a file made
    /// by another command.
    public static func load(_ path: String?, command: String) throws -> MigrationState {
        guard let path, FileManager.default.fileExists(atPath: path) else { return MigrationState(command: command) }
        let state: MigrationState
        do {
            state = try JSONDecoder().decode(MigrationState.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw MigrationError(
                "the state file \(path) cannot be read (\(error.localizedDescription)); remove it to start over")
        }
        guard state.command == command else {
            throw MigrationError(
                "the state file \(path) belongs to another run (\(state.command)); remove it or name another file")
        }
        return state
    }

    /// Saves to `path` (nothing without one).
    public func save(_ path: String?) throws {
        guard let path else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = path + ".tmp"
        try encoder.encode(self).write(to: URL(fileURLWithPath: temporary))
        // rename(2) replaces the old file in one step: a crash leaves the old state or the new.
        guard rename(temporary, path) == 0 else {
            throw MigrationError("cannot write the state file \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Adds to a count.
    public mutating func add(_ n: Int, _ key: String) { counts[key, default: 0] += n }
}

/// A migration that cannot go on, in words for the command line.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public var description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
