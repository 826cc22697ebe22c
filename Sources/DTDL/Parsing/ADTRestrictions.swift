import ADTWire

/// Azure Digital Twins' restrictions on top of DTDL (BEHAVIOUR.md §3, LIMITS.md).
enum ADTRestrictions {
    /// The first DTDL context specifier other than versions 2 and 3 in the documents, if any,
    /// including the DTDL v1 context (`http://azureiot.com/v1/contexts/IoTModel.json`).
    static func unsupportedVersion(_ documents: [JSONValue]) -> String? {
        for d in documents {
            if let s = scan(d) { return s }
        }
        return nil
    }

    private static func isUnsupportedDTDLContext(_ s: String) -> Bool {
        if s.hasPrefix("dtmi:dtdl:context;") { return s != "dtmi:dtdl:context;2" && s != "dtmi:dtdl:context;3" }
        return s.hasPrefix("http://azureiot.com/") || s.hasPrefix("https://azureiot.com/")
    }

    private static func scan(_ v: JSONValue) -> String? {
        switch v {
        case .array(let items):
            for i in items { if let s = scan(i) { return s } }
        case .object(let o):
            if let ctx = o["@context"] {
                for c in (ctx.arrayValue ?? [ctx]) {
                    if let s = c.stringValue, isUnsupportedDTDLContext(s) { return s }
                }
            }
            for (_, m) in o { if let s = scan(m) { return s } }
        default: break
        }
        return nil
    }

    /// Reports Commands and inline Interface definitions, which ADT refuses.
    static func check(_ elements: [ParsedElement], issues: inout IssueCollector) {
        for e in elements {
            switch e.cls {
            case .command:
                issues.add("disallowedType", primary: e.parent?.id, secondary: e.id, property: "contents", value: "Command",
                           document: e.documentIndex, detail: "Azure Digital Twins does not support Commands")
            case .interface where e.parent != nil:
                issues.add("disallowedType", primary: e.parent?.id, secondary: e.id, value: "Interface", document: e.documentIndex,
                           detail: "Azure Digital Twins requires 'extends' and component schemas to reference top-level Interfaces by DTMI, not define them inline")
            default: break
            }
        }
    }
}
