/// Renders the cause and action of a parsing issue with the official texts (`ParsingMessages`),
/// the words ADT gives users.
enum IssueText {
    /// A parsing issue with its texts. When there is no official template, or the template needs
    /// a value the parser did not supply, the parser's own `detail` becomes the cause.
    static func issue(
        _ validationID: String, primaryID: String?, secondaryID: String?, property: String?, value: String?,
        restriction: String?, type: String?, auxProperty: String?, transformation: String?, counts: [Int],
        detail: String?
    ) -> ParsingIssue {
        var issue = ParsingMessages.issue(
            validationID, primaryID: primaryID, secondaryID: secondaryID, property: property, auxProperty: auxProperty,
            value: value, type: type, restriction: restriction, transformation: transformation, counts: counts)
        let complete =
            ParsingMessages.template(for: validationID) != nil
            && !issue.cause.contains("{") && !issue.action.contains("{")
        if !complete, let detail {
            let subject = primaryID.map { "\($0): " } ?? ""
            issue.cause = subject + detail + (detail.hasSuffix(".") ? "" : ".")
            issue.action = "Correct the model -- see aka.ms/dtdl."
        }
        return issue
    }
}
