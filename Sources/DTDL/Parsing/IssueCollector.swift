/// Accumulates the problems found in a batch of documents, with the official validation ids.
struct IssueCollector {
    /// The problems, in the order found.
    private(set) var issues: [ParsingIssue] = []

    /// Whether nothing was reported.
    var isEmpty: Bool { issues.isEmpty }

    /// Reports a problem. `code` is the last segment of a `dtmi:dtdl:parsingError:` validation id.
    mutating func add(
        _ code: String, primary: String? = nil, secondary: String? = nil, property: String? = nil,
        value: String? = nil, document: Int? = nil, detail: String? = nil
    ) {
        let validationID = "dtmi:dtdl:parsingError:" + code
        var issue = IssueText.issue(
            validationID, primaryID: primary, secondaryID: secondary, property: property, value: value, detail: detail)
        issue.documentIndex = document
        issues.append(issue)
    }

    /// Appends issues found elsewhere.
    mutating func append(contentsOf other: [ParsingIssue]) { issues.append(contentsOf: other) }
}
