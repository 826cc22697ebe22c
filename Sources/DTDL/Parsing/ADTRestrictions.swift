import ADTWire

/// Azure Digital Twins' restrictions on top of DTDL (BEHAVIOUR.md §3, LIMITS.md).
enum ADTRestrictions {
    /// The first DTDL context specifier other than versions 2 and 3 in the documents, if any,
    /// including the DTDL v1 context (`http://azureiot.com/v1/contexts/IoTModel.json`).
    static func unsupportedVersion(_ documents: [JSONValue]) -> String? {
        for document in documents {
            if let specifier = scan(document) { return specifier }
        }
        return nil
    }

    /// Whether a context specifier names a DTDL version other than 2 and 3 (or DTDL v1).
    private static func isUnsupportedDTDLContext(_ specifier: String) -> Bool {
        if specifier.hasPrefix("dtmi:dtdl:context;") {
            return specifier != "dtmi:dtdl:context;2" && specifier != "dtmi:dtdl:context;3"
        }
        return specifier.hasPrefix("http://azureiot.com/") || specifier.hasPrefix("https://azureiot.com/")
    }

    /// The first unsupported DTDL context specifier in a JSON value, searched depth first.
    private static func scan(_ value: JSONValue) -> String? {
        switch value {
        case .array(let items):
            for item in items { if let specifier = scan(item) { return specifier } }
        case .object(let object):
            if let context = object["@context"] {
                for entry in (context.arrayValue ?? [context]) {
                    if let specifier = entry.stringValue, isUnsupportedDTDLContext(specifier) { return specifier }
                }
            }
            for (_, member) in object { if let specifier = scan(member) { return specifier } }
        default: break
        }
        return nil
    }

    /// Reports Commands and inline Interface definitions, which ADT refuses.
    static func check(_ elements: [ParsedElement], issues: inout IssueCollector) {
        for element in elements {
            switch element.elementClass {
            case .command:
                issues.add(
                    "disallowedType", primary: element.parent?.id, secondary: element.id, property: "contents",
                    value: "Command", document: element.documentIndex,
                    detail: "Azure Digital Twins does not support Commands")
            case .interface where element.parent != nil:
                issues.add(
                    "disallowedType", primary: element.parent?.id, secondary: element.id, value: "Interface",
                    document: element.documentIndex,
                    detail: "Azure Digital Twins requires 'extends' and component schemas to reference "
                        + "top-level Interfaces by DTMI, not define them inline")
            default: break
            }
        }
    }
}
