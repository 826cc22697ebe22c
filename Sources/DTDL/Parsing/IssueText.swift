/// Renders the cause and action of a parsing issue with the official texts (`ParsingMessages`).
enum IssueText {
    /// A parsing issue with its texts. When the official template has no wording for the case,
    /// `detail` (the parser's own explanation) is used as the cause.
    static func issue(
        _ validationID: String, primaryID: String?, secondaryID: String?, property: String?, value: String?,
        detail: String?
    ) -> ParsingIssue {
        var issue = ParsingMessages.issue(
            validationID, primaryID: primaryID, secondaryID: secondaryID, property: property, value: value)
        if let detail, issue.cause.isEmpty { issue.cause = detail }
        return issue
    }
}
