/// The official DTDL parser's error messages: for each `dtmi:dtdl:parsingError:*` validation id,
/// a cause and an action template, rendered with the same wording ADT users see.
///
/// Templates name elements by identifier through placeholders such as `{primaryId:p}`; see
/// ``IdentifierPhrase`` for how an identifier is turned into words. Other placeholders:
/// `{property}`, `{auxProperty}`, `{value}`, `{type}`, `{restriction}`, `{transformation}`,
/// `{layer}` (rendered as `In layer 'x', ` or nothing), `{countN}` / `{itemN}` / `{verbN}`
/// (a count, with the singular or plural item word and verb for that validation id) and
/// `{firstViolation}`. A placeholder without a value is left as written.
public enum ParsingMessages {
    /// The prefix of every validation id.
    public static let validationIDPrefix = "dtmi:dtdl:parsingError:"

    /// A cause and an action template.
    public struct Template: Sendable, Hashable {
        /// What is wrong.
        public let cause: String
        /// What to do about it.
        public let action: String
    }

    /// Templates by short validation id (without the prefix).
    private static let templates: [String: Template] = {
        var table: [String: Template] = [:]
        table.reserveCapacity(templateCount)
        var i = 0
        while i + 2 < templateTriples.count {
            table[templateTriples[i]] = Template(cause: templateTriples[i + 1], action: templateTriples[i + 2])
            i += 3
        }
        // The parser builds the badType message per element class rather than from the table;
        // `{type}` is the allowed type or types, e.g. "Interface" or "Command, Component, or Property".
        table["badType"] = Template(
            cause:
                "{layer}{primaryId:p} property '{property}' has value{secondaryId:e} that does not have @type of {type}.",
            action: "Provide a @type of {type}, or provide a value for property '{property}' with @type of {type}.")
        return table
    }()

    /// Every known validation id, in full form, sorted.
    public static var knownValidationIDs: [String] {
        templates.keys.sorted().map { validationIDPrefix + $0 }
    }

    /// The full form of a validation id given with or without the prefix.
    public static func fullValidationID(_ id: String) -> String {
        id.hasPrefix(validationIDPrefix) ? id : validationIDPrefix + id
    }

    /// The short form (without prefix) of a validation id given with or without the prefix.
    public static func shortValidationID(_ id: String) -> String {
        id.hasPrefix(validationIDPrefix) ? String(id.dropFirst(validationIDPrefix.count)) : id
    }

    /// The templates of a validation id (with or without prefix), `nil` if unknown.
    public static func template(for validationID: String) -> Template? {
        templates[shortValidationID(validationID)]
    }

    /// Builds the issue for `validationID` (with or without the `dtmi:dtdl:parsingError:` prefix),
    /// rendering its cause and action templates with the given values.
    ///
    /// - Parameters:
    ///   - counts: the values of `{count1}`, `{count2}`, …: 0 renders as "no", 1 as "one", larger
    ///     numbers as digits, with the matching singular or plural `{itemN}` and `{verbN}` words
    ///     of that validation id (e.g. "value"/"values", "is"/"are").
    ///   - items: explicit `{item1}`, `{item2}`, … words, overriding the built-in ones.
    ///   - violations: for `{firstViolation}`, the first of them is used.
    ///   - documentIndex: the index of the input document, stored in the issue.
    /// An unknown validation id gives a generic issue naming the id.
    public static func issue(
        _ validationID: String, primaryID: String? = nil, secondaryID: String? = nil, property: String? = nil,
        auxProperty: String? = nil, value: String? = nil, type: String? = nil, restriction: String? = nil,
        transformation: String? = nil, layer: String? = nil, counts: [Int] = [], items: [String] = [],
        violations: [String] = [], documentIndex: Int? = nil
    ) -> ParsingIssue {
        let short = shortValidationID(validationID)
        var values: [String: String] = [:]
        if let property { values["property"] = property }
        if let auxProperty { values["auxProperty"] = auxProperty }
        if let value { values["value"] = value }
        if let type { values["type"] = type }
        if let restriction { values["restriction"] = restriction }
        if let transformation { values["transformation"] = transformation }
        values["layer"] = layer.map { $0.isEmpty ? "" : "In layer '\($0)', " } ?? ""
        if let first = violations.first { values["firstViolation"] = first }
        let words = countWords(for: short)
        for (i, count) in counts.enumerated() {
            let n = i + 1
            values["count\(n)"] = count > 1 ? String(count) : (count == 1 ? "one" : "no")
            values["item\(n)"] = count > 1 ? words.pluralItem : words.singularItem
            values["verb\(n)"] = count > 1 ? words.pluralVerb : words.singularVerb
        }
        for (i, item) in items.enumerated() { values["item\(i + 1)"] = item }
        var ids: [String: String] = [:]
        if let primaryID { ids["primaryId"] = primaryID }
        if let secondaryID { ids["secondaryId"] = secondaryID }

        let cause: String
        let action: String
        if let template = templates[short] {
            cause = render(template.cause, values: values, identifiers: ids)
            action = render(template.action, values: values, identifiers: ids)
        } else {
            let subject = primaryID.map { IdentifierPhrase.render($0, .nominative) } ?? "The model"
            let detail = [property.map { "property '\($0)'" }, value.map { "value '\($0)'" }]
                .compactMap { $0 }.joined(separator: ", ")
            cause = "\(subject) has a problem of kind '\(short)'" + (detail.isEmpty ? "." : " (\(detail)).")
            action = "Correct the model -- see aka.ms/dtdl."
        }
        return ParsingIssue(
            validationID: validationIDPrefix + short, primaryID: primaryID, secondaryID: secondaryID,
            property: property, value: value, documentIndex: documentIndex, cause: cause, action: action)
    }

    /// Renders a template: `{name}` takes `values[name]`; `{id}` and `{id:n|p|e|r}` take
    /// `identifiers[id]` as an ``IdentifierPhrase``. Unknown or missing placeholders stay as written.
    public static func render(_ template: String, values: [String: String], identifiers: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(template.utf8.count + 64)
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                rest = rest[open...]
                break
            }
            let key = rest[rest.index(after: open)..<close]
            let whole = rest[open...close]
            rest = rest[rest.index(after: close)...]
            if let colon = key.firstIndex(of: ":") {
                let name = String(key[..<colon])
                let form = IdentifierPhrase.Form(code: key[key.index(after: colon)...])
                if let id = identifiers[name], let form {
                    out += IdentifierPhrase.render(id, form)
                } else {
                    out += whole
                }
            } else if let id = identifiers[String(key)] {
                out += id
            } else if let v = values[String(key)] {
                out += v
            } else {
                out += whole
            }
        }
        out += rest
        return out
    }

    /// The singular and plural item words and verbs of a validation id's `{itemN}` / `{verbN}`.
    private static func countWords(for shortID: String) -> CountWords {
        switch shortID {
        case "identifierTooLong", "idTooLong", "idTooLongForType", "langStringValueTooLong", "stringTooLong":
            return CountWords(singularItem: "character", pluralItem: "characters")
        case "partitionTooLarge":
            return CountWords(singularItem: "byte", pluralItem: "bytes")
        case "nonConformantPropertyValue":
            return CountWords(singularItem: "violation", pluralItem: "violations including")
        default:
            return CountWords(singularItem: "value", pluralItem: "values", singularVerb: "is", pluralVerb: "are")
        }
    }

    private struct CountWords {
        var singularItem: String
        var pluralItem: String
        var singularVerb: String = ""
        var pluralVerb: String = ""
    }
}

/// How the parser's messages name an element by its identifier.
///
/// - A user DTMI or any other text is named as written (`:e` and `:r` quote an identifier that is
///   not a valid DTMI: ` 'http://foo'`).
/// - A blank-node id (`_:b1`) is named as written, but left out in the `:e` and `:r` forms.
/// - An identifier the parser generated for a nested element
///   (`dtmi:ex:parent:_contents:__child:_schema;1`) is described through its parent:
///   `dtmi:ex:parent;1 has 'contents' value with name 'child' which has 'schema' value`.
public enum IdentifierPhrase {
    /// The grammatical form of a placeholder.
    public enum Form: Sendable {
        /// `{id}`: the identifier as written.
        case plain
        /// `{id:n}`: subject of a sentence.
        case nominative
        /// `{id:p}`: possessive, followed by a property ("x's property …").
        case possessive
        /// `{id:e}`: appended to a noun ("element{id:e}"), only when it adds information.
        case elective
        /// `{id:r}`: appended to a noun, relative to a parent already named.
        case relative

        /// The form of a placeholder code (`n`, `p`, `e`, `r`), `nil` if unknown.
        public init?<S: StringProtocol>(code: S) {
            switch code {
            case "n": self = .nominative
            case "p": self = .possessive
            case "e": self = .elective
            case "r": self = .relative
            default: return nil
            }
        }
    }

    /// Renders `id` in the given form.
    public static func render(_ id: String, _ form: Form) -> String {
        if form == .plain { return id }
        if id.hasPrefix("_:") {
            switch form {
            case .plain, .nominative: return id
            case .possessive: return id + "'s"
            case .elective, .relative: return ""
            }
        }
        guard let dtmi = DTMI(id, enforcingLengthLimits: false) else {
            switch form {
            case .plain, .nominative: return id
            case .possessive: return id + "'s"
            case .elective, .relative: return " '\(id)'"
            }
        }
        guard let (parent, steps) = generatedPath(dtmi) else {
            switch form {
            case .plain, .nominative: return id
            case .possessive: return id + "'s"
            case .elective, .relative: return " " + id
            }
        }
        switch form {
        case .plain: return id
        case .nominative, .possessive:
            var s = parent
            for (i, step) in steps.enumerated() {
                s += i == 0 ? " has '" : " which has '"
                s += step.property + "' value"
                if let name = step.name { s += " with name '\(name)'" }
            }
            return s + (form == .nominative ? " which" : " whose")
        case .elective: return ""
        case .relative: return steps.last?.name.map { " with name '\($0)'" } ?? ""
        }
    }

    private struct Step {
        var property: String
        var name: String?
    }

    /// Splits a generated identifier into its user-named parent and the steps below it:
    /// `_property` for a singular value, `_property:__name` for a named element of a collection.
    private static func generatedPath(_ dtmi: DTMI) -> (String, [Step])? {
        guard dtmi.fragment == nil,
            let firstSystem = dtmi.labels.firstIndex(where: { $0.hasPrefix("_") }), firstSystem > 0
        else { return nil }
        var steps: [Step] = []
        var i = firstSystem
        let labels = dtmi.labels
        while i < labels.count {
            let label = labels[i]
            guard label.hasPrefix("_"), !label.hasPrefix("__") else { return nil }
            var step = Step(property: String(label.dropFirst()))
            if i + 1 < labels.count, labels[i + 1].hasPrefix("__") {
                step.name = String(labels[i + 1].dropFirst(2))
                i += 1
            }
            steps.append(step)
            i += 1
        }
        var parent = "dtmi:" + labels[..<firstSystem].joined(separator: ":")
        if let major = dtmi.majorVersion {
            parent += ";\(major)"
            if let minor = dtmi.minorVersion { parent += ".\(minor)" }
        }
        return (parent, steps)
    }
}
