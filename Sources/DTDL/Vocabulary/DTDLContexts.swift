/// The JSON-LD contexts DTDL models may name in `@context`, with the terms each defines, and the
/// standard element instances of the language (e.g. `dtmi:dtdl:instance:Schema:double;2`).
///
/// Known contexts: `dtmi:dtdl:context;2`, `dtmi:dtdl:context;3`, `dtmi:iotcentral:context;2`,
/// and the v3 extensions `dtmi:dtdl:extension:quantitativeTypes;1`, `annotation;1`/`;2`,
/// `historization;1`/`;2`, `overriding;1`/`;2` and `mqtt;1`. Version 2 of annotation,
/// historization and overriding has the terms of version 1 under `:v2:` DTMIs.
public enum DTDLContexts {
    /// How a context defines a term.
    public struct Term: Sendable, Hashable {
        /// The term, e.g. `schema`.
        public let name: String
        /// The DTMI it stands for, e.g. `dtmi:dtdl:property:schema;2`.
        public let id: String
        /// Whether the term's values are identifiers or terms (`"@type": "@vocab"`), as for
        /// `schema`, `extends`, `contents`, `target`.
        public let isIdentifierValued: Bool
        /// Whether the term's value is a language map (`"@container": "@language"`), as for
        /// `displayName` and `description`.
        public let isLanguageMap: Bool
    }

    /// A standard element of the language that models refer to by term.
    public struct StandardElement: Sendable, Hashable {
        /// The term, e.g. `double`.
        public let term: String
        /// Its DTMI, e.g. `dtmi:dtdl:instance:Schema:double;2`.
        public let id: String
        /// The DTDL major version whose context defines it.
        public let dtdlVersion: Int
        /// The class term of the element, e.g. `Double`, `CommandType`, `Object` (geospatial).
        public let type: String
        /// The element it is an alias for (v3 schemas alias their v2 counterparts), if any.
        public let aliasFor: String?

        /// The primitive schema it denotes, if it is one (e.g. `.double`, `.point`).
        public var primitiveSchema: PrimitiveSchema? { type == "CommandType" ? nil : PrimitiveSchema(rawValue: term) }
    }

    private struct Context: Sendable {
        let dtdlVersion: Int
        let terms: [String: Term]
        let ids: [String: String]
    }

    private static let contexts: [String: Context] = {
        var result: [String: Context] = [:]
        for (contextID, version, rows) in contextRows {
            var terms: [String: Term] = [:]
            var ids: [String: String] = [:]
            terms.reserveCapacity(rows.count)
            for (name, id, flags) in rows {
                terms[name] = Term(
                    name: name, id: id, isIdentifierValued: flags & 1 != 0, isLanguageMap: flags & 2 != 0)
                ids[name] = id
            }
            result[contextID] = Context(dtdlVersion: version, terms: terms, ids: ids)
        }
        return result
    }()

    private static let standardByID: [String: StandardElement] = {
        var result: [String: StandardElement] = [:]
        for (term, id, version, type, alias) in standardElementRows {
            result[id] = StandardElement(term: term, id: id, dtdlVersion: version, type: type, aliasFor: alias)
        }
        return result
    }()

    /// The known context ids, in a stable order (DTDL contexts first).
    public static let knownContextIDs: [String] = contextRows.map(\.0)

    /// Whether `contextID` is known.
    public static func isKnown(_ contextID: String) -> Bool { contexts[contextID] != nil }

    /// The DTDL major version a context id selects: 2 for `dtmi:dtdl:context;2`, 3 for
    /// `dtmi:dtdl:context;3`, `nil` for an extension or unknown context.
    public static func dtdlVersion(ofContext contextID: String) -> Int? {
        guard let v = contexts[contextID]?.dtdlVersion, v > 0 else { return nil }
        return v
    }

    /// The terms a context defines, term → full DTMI (e.g. `Interface` →
    /// `dtmi:dtdl:class:Interface;2`), or `nil` for an unknown context. Only the terms a model
    /// may use are listed (no JSON-LD keywords, prefixes or metamodel-only compact IRIs).
    public static func terms(of contextID: String) -> [String: String]? { contexts[contextID]?.ids }

    /// The definition of `term` in a context, `nil` if the context or the term is unknown.
    public static func term(_ term: String, in contextID: String) -> Term? { contexts[contextID]?.terms[term] }

    /// The standard element instances of a DTDL version (schemas such as `double` and
    /// `point`, and the command types `synchronous` / `asynchronous`), by term.
    public static func standardElements(dtdlVersion: Int) -> [String: StandardElement] {
        var result: [String: StandardElement] = [:]
        for e in standardByID.values where e.dtdlVersion == dtdlVersion { result[e.term] = e }
        return result
    }

    /// The standard element with this DTMI (e.g. `dtmi:dtdl:instance:Schema:double;3`), if any.
    public static func standardElement(id: String) -> StandardElement? { standardByID[id] }

    /// The DTMI of a standard schema by term, e.g. (`double`, 2) → `dtmi:dtdl:instance:Schema:double;2`.
    public static func standardSchemaID(named term: String, dtdlVersion: Int) -> String? {
        guard let context = contexts["dtmi:dtdl:context;\(dtdlVersion)"], let id = context.ids[term],
            let element = standardByID[id], element.type != "CommandType"
        else { return nil }
        return id
    }
}
