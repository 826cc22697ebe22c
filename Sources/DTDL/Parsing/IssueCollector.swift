/// Accumulates the problems found in a batch of documents, with the official validation ids.
struct IssueCollector {
    /// The problems, in the order found.
    private(set) var issues: [ParsingIssue] = []

    /// Whether nothing was reported.
    var isEmpty: Bool { issues.isEmpty }

    /// Reports a problem. `code` is the last segment of a `dtmi:dtdl:parsingError:` validation id;
    /// the other arguments fill the official message template; `detail` is the parser's own
    /// explanation, used when the template needs values the parser does not have.
    mutating func add(
        _ code: String, primary: String? = nil, secondary: String? = nil, property: String? = nil,
        value: String? = nil, restriction: String? = nil, type: String? = nil, auxProperty: String? = nil,
        transformation: String? = nil, counts: [Int] = [], document: Int? = nil, detail: String? = nil
    ) {
        var issue = IssueText.issue(
            "dtmi:dtdl:parsingError:" + code, primaryID: primary, secondaryID: secondary, property: property,
            value: value, restriction: restriction, type: type, auxProperty: auxProperty,
            transformation: transformation, counts: counts, detail: detail)
        issue.documentIndex = document
        issues.append(issue)
    }

    /// Appends issues found elsewhere.
    mutating func append(contentsOf other: [ParsingIssue]) { issues.append(contentsOf: other) }
}
