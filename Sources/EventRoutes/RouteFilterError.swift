/// Why a route filter is not valid, at the line and column (both from 1) where its reader
/// stopped, in the terms ADT answers `EventRouteFilterInvalid` with.
public struct RouteFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The line of the offending input, from 1.
    public var line: Int
    /// The column of the offending input within its line, from 1.
    public var position: Int
    /// What is wrong, e.g. `Unexpected input 'is'`.
    public var reason: String

    /// An error at `line` and `position`.
    public init(line: Int, position: Int, reason: String) {
        self.line = line
        self.position = position
        self.reason = reason
    }

    /// The message as ADT writes it (recorded): `The provided filter is invalid. Parsing error,
    /// Line=1, Position=6, Message=Unexpected input 'is'. See event route documentation ...`.
    public var message: String {
        "The provided filter is invalid. Parsing error, Line=\(line), Position=\(position), Message=\(reason). "
            + "See event route documentation for supported values and structure (http://aka.ms/ADTv2Routes)."
    }

    /// `line:position: reason`, for logs.
    public var description: String { "\(line):\(position): \(reason)" }
}
