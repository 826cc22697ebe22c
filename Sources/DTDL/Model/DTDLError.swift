import ADTWire

/// An error of the DTDL engine, carrying the ADT error code a gateway answers with.
///
/// The message names the model, the element and the JSON path so that a user can fix the file
/// or the request from the message alone.
public struct DTDLError: Error, Sendable, CustomStringConvertible {
    /// An ADT error code, from the wire vocabulary's one catalogue.
    public typealias Code = ADTErrorCode

    /// The ADT error code.
    public var code: Code
    /// A human-readable message.
    public var message: String
    /// For `DTDLParserError`: each problem found, in the order found.
    public var issues: [ParsingIssue]
    /// For unresolved references: the DTMIs that no document (nor the existing models) defines.
    public var unresolvedIdentifiers: [String]

    /// An error with a code and a message.
    public init(_ code: Code, _ message: String, issues: [ParsingIssue] = [], unresolvedIdentifiers: [String] = []) {
        self.code = code
        self.message = message
        self.issues = issues
        self.unresolvedIdentifiers = unresolvedIdentifiers
    }

    /// `Code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}

/// One problem found while parsing or resolving DTDL, in the terms of the official parser
/// (`dtmi:dtdl:parsingError:*` validation ids) so that users read the same words ADT gives them.
public struct ParsingIssue: Sendable, Hashable, CustomStringConvertible {
    /// The official validation id, e.g. `dtmi:dtdl:parsingError:badType`.
    public var validationID: String
    /// The element the problem is on (a DTMI, possibly synthesised for anonymous elements).
    public var primaryID: String?
    /// A second element involved, if any.
    public var secondaryID: String?
    /// The DTDL property involved, if any.
    public var property: String?
    /// The offending value, if any.
    public var value: String?
    /// Index of the input document the element came from.
    public var documentIndex: Int?
    /// What is wrong.
    public var cause: String
    /// What to do about it.
    public var action: String

    /// An issue with its official id and texts.
    public init(
        validationID: String, primaryID: String? = nil, secondaryID: String? = nil, property: String? = nil,
        value: String? = nil, documentIndex: Int? = nil, cause: String, action: String
    ) {
        self.validationID = validationID
        self.primaryID = primaryID
        self.secondaryID = secondaryID
        self.property = property
        self.value = value
        self.documentIndex = documentIndex
        self.cause = cause
        self.action = action
    }

    /// The cause followed by the action.
    public var description: String { action.isEmpty ? cause : "\(cause) \(action)" }
}
