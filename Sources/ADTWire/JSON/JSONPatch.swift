/// One operation of an RFC 6902 JSON Patch document, restricted to what ADT supports: its
/// swagger says twin, component and relationship patches are "limited to" `add`, `replace`
/// and `remove`.
public struct JSONPatchOperation: Sendable, Hashable {
    /// The supported operations.
    public enum Kind: String, Sendable, Hashable {
        /// Sets a value, replacing any present one; its parent must exist.
        case add
        /// Replaces a value that must exist.
        case replace
        /// Removes a value that must exist.
        case remove
    }

    /// What to do.
    public var kind: Kind
    /// Where.
    public var path: JSONPointer
    /// The new value (`add`, `replace`); `nil` for `remove`.
    public var value: JSONValue?

    /// An operation.
    public init(kind: Kind, path: JSONPointer, value: JSONValue? = nil) {
        self.kind = kind
        self.path = path
        self.value = value
    }

    /// Parses a patch document: a JSON array of `{"op", "path", "value"?}` objects.
    ///
    /// - Throws: `JsonPatchInvalid` when the document is not an array, an operation is not an
    ///   object, `op` or `path` is missing or malformed, `value` is missing for `add`/`replace`,
    ///   or the operation is not supported. For the last case the message is ADT's (recorded):
    ///   "Unsupported operation type move. Please provide a valid patch document."
    public static func parseDocument(_ document: JSONValue) throws(JSONPatchError) -> [JSONPatchOperation] {
        guard case .array(let items) = document else {
            throw patchInvalid(
                "A patch document must be a JSON array of operations, not \(JSONWriter.preview(document)).")
        }
        var operations: [JSONPatchOperation] = []
        operations.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw patchInvalid(
                    "Operation \(index) of the patch must be an object, not \(JSONWriter.preview(item)).")
            }
            guard let opValue = object["op"] else {
                throw patchInvalid("Operation \(index) of the patch has no \"op\".")
            }
            guard case .string(let op) = opValue else {
                throw patchInvalid("\"op\" of operation \(index) must be a string, not \(JSONWriter.preview(opValue)).")
            }
            // Case-insensitive like ADT's ASP.NET Core JSON Patch binder (the recorded 400 for a
            // malformed document names `Microsoft.AspNetCore.JsonPatch.Operations.Operation`),
            // which parses `op` ignoring case.
            guard let kind = Kind(rawValue: op.lowercased()) else {
                throw patchInvalid("Unsupported operation type \(op). Please provide a valid patch document.")
            }
            guard let pathValue = object["path"] else {
                throw patchInvalid("Operation \(index) (\(op)) has no \"path\".")
            }
            guard case .string(let pathText) = pathValue, let path = JSONPointer(parsing: pathText) else {
                throw patchInvalid(
                    "\"path\" of operation \(index) (\(op)) must be a JSON Pointer such as \"/property\", not \(JSONWriter.preview(pathValue))."
                )
            }
            let value = object["value"]
            if kind != .remove, value == nil {
                throw patchInvalid("Operation \(index) (\(op) \(pathText)) has no \"value\".")
            }
            operations.append(JSONPatchOperation(kind: kind, path: path, value: kind == .remove ? nil : value))
        }
        return operations
    }
}

/// Why a JSON Patch document is malformed or cannot be applied; ADT answers it as
/// `JsonPatchInvalid` (400).
public struct JSONPatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the operation or the path.
    public var message: String

    /// An error with this message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

@inline(__always) func patchInvalid(_ message: String) -> JSONPatchError { JSONPatchError(message) }

/// RFC 6902 application of one operation to a JSON value, at reference tokens below it.
///
/// `replace` and `remove` need the target to exist, `add` needs its parent to exist; array
/// indices follow RFC 6902 (`-` appends on `add`). Failures are `JsonPatchInvalid` naming the
/// full path (`displayPath`).
public enum JSONPatchApplier {
    /// Applies `kind` with `value` at the reference `tokens` below `target`; `displayPath` is
    /// the operation's whole path, for messages.
    public static func apply(
        _ kind: JSONPatchOperation.Kind, value: JSONValue?, at tokens: ArraySlice<String>, in target: inout JSONValue,
        displayPath: JSONPointer
    ) throws(JSONPatchError) {
        guard let token = tokens.first else {
            throw patchInvalid(
                "The path \"\(displayPath)\" designates the whole document, which cannot be patched here.")
        }
        let last = tokens.count == 1
        switch target {
        case .object(var object):
            target = .null  // release the storage so that the mutation below does not copy it
            defer { target = .object(object) }
            if last {
                switch kind {
                case .add:
                    object[token] = value
                case .replace:
                    guard object[token] != nil else { throw missing(kind, displayPath) }
                    object[token] = value
                case .remove:
                    guard object[token] != nil else { throw missing(kind, displayPath) }
                    object[token] = nil
                }
            } else {
                guard var child = object[token] else { throw missingParent(kind, displayPath) }
                object[token] = .null
                defer { object[token] = child }
                try apply(kind, value: value, at: tokens.dropFirst(), in: &child, displayPath: displayPath)
            }
        case .array(var array):
            target = .null
            defer { target = .array(array) }
            if last, kind == .add {
                if token == "-" {
                    array.append(value ?? .null)
                    return
                }
                guard let index = arrayIndex(token), index <= array.count else { throw badIndex(kind, displayPath) }
                array.insert(value ?? .null, at: index)
                return
            }
            guard let index = arrayIndex(token), index < array.count else {
                throw last ? badIndex(kind, displayPath) : missingParent(kind, displayPath)
            }
            if last {
                if kind == .replace { array[index] = value ?? .null } else { array.remove(at: index) }
            } else {
                var child = array[index]
                array[index] = .null
                defer { array[index] = child }
                try apply(kind, value: value, at: tokens.dropFirst(), in: &child, displayPath: displayPath)
            }
        default:
            throw patchInvalid(
                "Cannot \(kind.rawValue) \"\(displayPath)\": the value containing it is \(target.typeName), not an object or array."
            )
        }
    }

    /// An RFC 6901 array index: `0` or digits without a leading zero.
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            token == "0" || !token.hasPrefix("0")
        else { return nil }
        return Int(token)
    }

    static func missing(_ kind: JSONPatchOperation.Kind, _ path: JSONPointer) -> JSONPatchError {
        patchInvalid(
            "Cannot \(kind.rawValue) \"\(path)\": there is no value at that path. Use add to set a value that is not present."
        )
    }

    static func missingParent(_ kind: JSONPatchOperation.Kind, _ path: JSONPointer) -> JSONPatchError {
        patchInvalid(
            "Cannot \(kind.rawValue) \"\(path)\": the value containing it does not exist. Add the containing value first, e.g. the whole object."
        )
    }

    static func badIndex(_ kind: JSONPatchOperation.Kind, _ path: JSONPointer) -> JSONPatchError {
        patchInvalid("Cannot \(kind.rawValue) \"\(path)\": the array index is not valid for the array there.")
    }
}
