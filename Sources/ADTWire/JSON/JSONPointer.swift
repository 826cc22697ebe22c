/// An RFC 6901 JSON Pointer: the path syntax of JSON Patch (`/a/b~1c` is `["a", "b/c"]`).
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens; empty for the whole document.
    public var tokens: [String]

    /// A pointer made of already unescaped tokens.
    public init(tokens: [String]) { self.tokens = tokens }

    /// Parses pointer text. Returns `nil` when the text is not a pointer: it neither is empty nor
    /// starts with `/`, or a `~` is not followed by `0` or `1`.
    public init?(parsing text: String) {
        if text.isEmpty {
            tokens = []
            return
        }
        var utf8 = text.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "/") else { return nil }
        var result: [String] = []
        var current: [UInt8] = []
        while let b = utf8.next() {
            switch b {
            case UInt8(ascii: "/"):
                result.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            case UInt8(ascii: "~"):
                switch utf8.next() {
                case UInt8(ascii: "0"): current.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): current.append(UInt8(ascii: "/"))
                default: return nil
                }
            default:
                current.append(b)
            }
        }
        result.append(String(decoding: current, as: UTF8.self))
        tokens = result
    }

    /// The pointer text, with `~` and `/` escaped.
    public var description: String {
        var out = ""
        for token in tokens {
            out.append("/")
            for c in token {
                switch c {
                case "~": out.append("~0")
                case "/": out.append("~1")
                default: out.append(c)
                }
            }
        }
        return out
    }

    /// This pointer followed by `more`.
    public func appending(_ more: [String]) -> JSONPointer { JSONPointer(tokens: tokens + more) }
}
