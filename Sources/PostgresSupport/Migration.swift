/// One numbered schema change from `migrations/NNNN_name.sql`, embedded into the binary at
/// build time.
public struct Migration: Sendable, Hashable {
    /// The number from the file name; migrations apply in increasing order.
    public let version: Int
    /// The description part of the file name.
    public let name: String
    /// The SQL text (may hold several statements).
    public let sql: String

    /// A migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations this build knows, in version order.
    public static var all: [Migration] { embedded }

    /// The highest version this build knows.
    public static var latestVersion: Int { embedded.last?.version ?? 0 }
}
