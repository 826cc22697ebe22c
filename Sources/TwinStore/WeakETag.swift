import Foundation

/// ETags as ADT writes them.
enum WeakETag {
    /// A new weak ETag, `W/"<uuid>"`, and its uuid.
    static func new() -> (header: String, uuid: String) {
        let uuid = UUID().uuidString.lowercased()
        return ("W/\"\(uuid)\"", uuid)
    }
}
