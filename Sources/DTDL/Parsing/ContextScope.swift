/// The JSON-LD context in force for an element: the DTDL version and the extensions whose terms
/// may be used. A nested `@context` adds to its parent's scope.
struct ContextScope: Sendable {
    /// Extension contexts the parser implements.
    enum Extension: String, Sendable, CaseIterable {
        case quantitativeTypes, annotation, overriding, historization, iotcentral
    }

    /// The DTDL major version (2 or 3).
    var version: Int
    /// The known extensions in scope.
    var extensions: Set<Extension> = []
    /// Whether an undefined (unknown, tolerated) extension context is in scope.
    var undefinedExtension = false
    /// The known extension context specifiers in scope, whose terms are defined (if not applicable).
    var extensionContexts: [String] = []

    /// The DTDL context specifiers, by major version.
    static func dtdlVersion(of specifier: String) -> Int? {
        let prefix = "dtmi:dtdl:context;"
        guard specifier.hasPrefix(prefix) else { return nil }
        return Int(specifier.dropFirst(prefix.count))
    }

    /// The extension a context specifier names, if the parser implements it for this DTDL version.
    /// The feature extensions resolve under DTDL v2 too; their co-types then fail on version.
    /// The .NET parser accepts the `;2` versions of annotation, overriding and historization with
    /// DTDL v3 as well as the `;1` versions that ADT documents.
    static func knownExtension(_ specifier: String, version: Int) -> Extension? {
        switch specifier {
        case "dtmi:dtdl:extension:quantitativeTypes;1": return version >= 3 ? .quantitativeTypes : nil
        case "dtmi:dtdl:extension:annotation;1", "dtmi:dtdl:extension:annotation;2":
            return .annotation
        case "dtmi:dtdl:extension:overriding;1", "dtmi:dtdl:extension:overriding;2":
            return .overriding
        case "dtmi:dtdl:extension:historization;1", "dtmi:dtdl:extension:historization;2":
            return .historization
        case "dtmi:iotcentral:context;2": return .iotcentral
        default: return nil
        }
    }

    /// Whether the specifier is a DTMI with a version and no fragment, as every context must be.
    /// DTDL v3 allows a minor version on extension contexts (`dtmi:foo:bar;1.1`).
    static func isWellFormedSpecifier(_ specifier: String, version: Int) -> Bool {
        guard !specifier.contains("#") else { return false }
        let problem = IdentifierSyntax.check(
            specifier, requireVersion: true, allowMinor: version >= 3, allowSystem: false)
        return problem == nil
    }

    /// The specifier without its version (`dtmi:dtdl:extension:historization`).
    static func versionless(_ specifier: String) -> Substring {
        guard let semicolon = specifier.lastIndex(of: ";") else { return Substring(specifier) }
        return specifier[..<semicolon]
    }
}
