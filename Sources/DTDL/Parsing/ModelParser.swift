import ADTWire

/// Parses and resolves DTDL v2/v3 models into an immutable `ModelGraph`.
///
/// ```swift
/// let graph = try ModelParser.parse(documents: [json], options: .init(adtRestrictions: true), existing: store)
/// ```
/// Each document is one Interface or an array of them. References (`extends`, component schemas,
/// schema DTMIs) must be satisfied by the batch or by `existing`; otherwise the error lists
/// exactly the unresolved DTMIs in `unresolvedIdentifiers`. The result holds the existing
/// interfaces plus the new ones; redefining an interface of `existing` is an error
/// (`duplicateDefinition`), so a store replaces a model by re-parsing without it. Relationship
/// `target`s need not resolve (DTDL makes them non-dependent references).
///
/// Every problem is reported as a `ParsingIssue` with the official validation id and the cause
/// and action texts of the .NET parser that ADT uses; the error's message is the first issue
/// (or the unresolved identifiers). Parsing is driven by the metamodel tables in `PropertySpec`
/// and `ElementClass`; resolution (`ModelResolver`) then checks what spans elements.
public struct ModelParser {
    /// Parser settings.
    public struct Options: Sendable {
        /// Whether unknown extension contexts (and, in their scope, undefined co-types and
        /// properties) are tolerated. `nil` uses each DTDL version's default: allowed in v2, not in v3.
        public var allowUndefinedExtensions: Bool?
        /// The highest DTDL major version accepted (2 or 3).
        public var maxDTDLVersion: Int
        /// Azure Digital Twins' own rules on top of DTDL: no Commands, no inline Interfaces, no
        /// nested components, top-level Interfaces only, and only DTDL contexts 2 and 3
        /// (`ModelVersionNotSupported` otherwise).
        public var adtRestrictions: Bool

        /// Options with the given settings.
        public init(allowUndefinedExtensions: Bool? = nil, maxDTDLVersion: Int = 3, adtRestrictions: Bool = false) {
            self.allowUndefinedExtensions = allowUndefinedExtensions
            self.maxDTDLVersion = maxDTDLVersion
            self.adtRestrictions = adtRestrictions
        }
    }

    /// Parses documents (JSON values, each an Interface or an array of Interfaces) and resolves
    /// them together with `existing`.
    ///
    /// - Throws: `DTDLError` with code `.dtdlParserError` and one `ParsingIssue` per problem, or
    ///   `.modelVersionNotSupported` in ADT mode for a context other than DTDL 2 or 3.
    public static func parse(
        documents: [JSONValue], options: Options = .init(), existing: ModelGraph? = nil
    ) throws(DTDLError) -> ModelGraph {
        if options.adtRestrictions, let unsupported = ADTRestrictions.unsupportedVersion(documents) {
            throw DTDLError(
                .modelVersionNotSupported,
                "The model uses context '\(unsupported)'; only DTDL v2 (dtmi:dtdl:context;2) and v3 "
                    + "(dtmi:dtdl:context;3) are supported.")
        }
        var parser = DocumentParser(options: options)
        for (index, document) in documents.enumerated() { parser.parse(document: document, index: index) }
        var issues = parser.issues
        if options.adtRestrictions {
            ADTRestrictions.check(parser.elements, issues: &issues)
        }
        var resolver = ModelResolver(parser: parser, existing: existing ?? .empty, options: options)
        let graph = resolver.resolve()
        issues.append(contentsOf: resolver.issues.issues)
        let unresolved = resolver.unresolved
        if !issues.isEmpty || !unresolved.isEmpty {
            throw makeError(issues: issues.issues, unresolved: unresolved)
        }
        return graph
    }

    /// Parses JSON texts (each one document); a text that is not JSON is reported as a parsing issue.
    public static func parse(
        texts: [String], options: Options = .init(), existing: ModelGraph? = nil
    ) throws(DTDLError) -> ModelGraph {
        var documents: [JSONValue] = []
        for (index, text) in texts.enumerated() {
            do {
                documents.append(try JSONParser.parse(text))
            } catch {
                throw DTDLError(.dtdlParserError, "Document \(index) is not valid JSON: \(error.description)")
            }
        }
        return try parse(documents: documents, options: options, existing: existing)
    }

    /// The error for a batch with problems: the first issue (or the unresolved identifiers) as message.
    private static func makeError(issues: [ParsingIssue], unresolved: [String]) -> DTDLError {
        var message: String
        if let first = issues.first {
            message = first.description
            if issues.count > 1 { message += " (and \(issues.count - 1) more problem\(issues.count > 2 ? "s" : ""))" }
        } else {
            message =
                "The model references \(unresolved.count == 1 ? "an identifier" : "identifiers")"
                + " that no model defines: " + unresolved.joined(separator: ", ")
        }
        return DTDLError(.dtdlParserError, message, issues: issues, unresolvedIdentifiers: unresolved)
    }
}
