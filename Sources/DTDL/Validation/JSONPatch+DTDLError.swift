import ADTWire

/// A `JsonPatchInvalid` error of the engine.
@inline(__always) func patchInvalid(_ message: String) -> DTDLError { DTDLError(.jsonPatchInvalid, message) }

extension DTDLError {
    /// A JSON Patch error of the wire vocabulary, as the engine reports it (`JsonPatchInvalid`).
    public init(_ error: JSONPatchError) { self.init(.jsonPatchInvalid, error.message) }
}

/// The wire vocabulary's JSON Patch steps, with their errors reported as the engine's.
enum EnginePatch {
    /// ``JSONPatchOperation/parseDocument(_:)``.
    static func operations(_ document: JSONValue) throws(DTDLError) -> [JSONPatchOperation] {
        do {
            return try JSONPatchOperation.parseDocument(document)
        } catch {
            throw DTDLError(error)
        }
    }

    /// ``JSONPatchApplier/apply(_:value:at:in:displayPath:)``.
    static func apply(
        _ kind: JSONPatchOperation.Kind, value: JSONValue?, at tokens: ArraySlice<String>, in target: inout JSONValue,
        displayPath: JSONPointer
    ) throws(DTDLError) {
        do {
            try JSONPatchApplier.apply(kind, value: value, at: tokens, in: &target, displayPath: displayPath)
        } catch {
            throw DTDLError(error)
        }
    }
}
