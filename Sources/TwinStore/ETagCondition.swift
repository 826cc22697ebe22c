import Foundation

/// An `If-Match` condition: `*` (any current version) or one ETag, `W/"<uuid>"`.
public enum ETagCondition: Sendable, Equatable {
    case any
    case etag(String)

    /// Parses an `If-Match` header; a malformed one is refused with ADT's words.
    public init(ifMatch header: String) throws {
        let value = header.trimmingCharacters(in: .whitespaces)
        if value == "*" {
            self = .any
        } else if value.hasPrefix("W/\"") && value.hasSuffix("\"") && value.count > 4
            || value.hasPrefix("\"") && value.hasSuffix("\"") && value.count > 2
        {
            self = .etag(value)
        } else {
            throw ServiceError.invalidArgument(
                "Invalid If-Match header value. Allowed value(s): If-Match: {etag} or If-Match: *")
        }
    }

    /// Throws `PreconditionFailed` unless the condition holds for `currentETag`.
    public func check(currentETag: String) throws {
        guard case .etag(let wanted) = self else { return }
        let strip = { (s: String) in s.hasPrefix("W/") ? String(s.dropFirst(2)) : s }
        guard strip(wanted) != strip(currentETag) else { return }
        throw ServiceError(
            "PreconditionFailed",
            "The provided etag \(wanted) doesn't match the current etag for the resource. Please obtain and provide the latest etag by getting the resource. See section on get apis in the documentation https://aka.ms/adtv2twins."
        )
    }
}
