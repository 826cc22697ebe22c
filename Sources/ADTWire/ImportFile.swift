/// ADT's bulk import format: NDJSON in sections, each opened by a line `{"Section": "<name>"}`:
/// `Header` (one object: `fileVersion`, `author`, `organization`), then optionally `Models`
/// (one DTDL interface per line), `Twins` (one twin per line, with `$dtId` and
/// `$metadata.$model`) and `Relationships` (one per line, with `$dtId` of the source,
/// `$relationshipId`, `$targetId` and `$relationshipName`), in that order.
public enum ImportSection: String, Sendable, Comparable, CaseIterable {
    /// The file's header.
    case header = "Header"
    /// DTDL interfaces.
    case models = "Models"
    /// Digital twins.
    case twins = "Twins"
    /// Relationships.
    case relationships = "Relationships"

    var order: Int { Self.allCases.firstIndex(of: self)! }

    /// Sections compare in the order the file must give them.
    public static func < (lhs: ImportSection, rhs: ImportSection) -> Bool { lhs.order < rhs.order }
}

/// One line of an import file, as read.
public enum ImportLine: Sendable {
    /// An empty line (ignored).
    case blank
    /// The start of a section.
    case section(ImportSection)
    /// The header object.
    case header(JSONObject)
    /// A model, twin or relationship.
    case item(ImportSection, JSONObject)
    /// A line that cannot be used; the import goes on without it.
    case invalid(String)
}

/// A problem that stops an import: the file is not in the import format at all.
public struct ImportFileError: Error, Sendable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// What is wrong, for the job's error and its log.
    public var message: String
    /// A one-line rendering.
    public var description: String { "line \(line): \(message)" }

    /// A problem at a line.
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
}

/// Reads an import file line by line (pure: the caller brings the lines). Structural problems
/// (no header first, sections out of order or repeated, an unknown section, an item before any
/// section) throw ``ImportFileError``; a line that is not a JSON object inside a section is
/// `.invalid` and the import goes on.
public struct ImportFileReader: Sendable {
    /// The section being read, once one has started.
    public private(set) var section: ImportSection?
    /// The header, once read.
    public private(set) var header: JSONObject?
    private var lineNumber = 0

    /// A reader at the start of a file.
    public init() {}

    /// Reads the next line (without its line break).
    public mutating func next(_ text: Substring) throws(ImportFileError) -> ImportLine {
        lineNumber += 1
        let trimmed = text.drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" }
        if trimmed.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return .blank }
        let value: JSONValue
        do {
            value = try JSONParser.parse(String(trimmed))
        } catch {
            guard section != nil, section != .header else { throw fail("the line is not JSON: \(error)") }
            return .invalid("The line is not valid JSON: \(error).")
        }
        guard case .object(let object) = value else {
            guard section != nil, section != .header else { throw fail("the line is not a JSON object") }
            return .invalid("The line is not a JSON object.")
        }
        if let name = Self.sectionName(object) {
            guard let next = ImportSection.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() })
            else {
                throw fail(
                    "unknown section \"\(name)\"; the sections are \(ImportSection.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if section == nil, next != .header { throw fail("the file must start with the Header section") }
            if let current = section {
                guard next > current else {
                    throw fail(
                        "the \(next.rawValue) section comes after \(current.rawValue); the order is Header, Models, Twins, Relationships, each once"
                    )
                }
                if current == .header, header == nil { throw fail("the Header section is empty") }
            }
            section = next
            return .section(next)
        }
        switch section {
        case nil:
            throw fail("the file must start with {\"Section\": \"Header\"}")
        case .header?:
            guard header == nil else { throw fail("the Header section holds one object") }
            header = object
            return .header(object)
        case .some(let current):
            return .item(current, object)
        }
    }

    /// The section a line opens: an object whose only member is `Section` (any case).
    static func sectionName(_ object: JSONObject) -> String? {
        guard object.count == 1, let member = object.members.first, member.key.lowercased() == "section",
            case .string(let name) = member.value
        else { return nil }
        return name
    }

    private func fail(_ message: String) -> ImportFileError { ImportFileError(line: lineNumber, message: message) }
}

/// Cuts a byte stream into lines (`\n`, a trailing `\r` kept for the reader to ignore), for
/// reading NDJSON piece by piece: feed chunks as they come, then ``finish()``.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    /// A splitter at the start of a stream.
    public init() {}

    /// The complete lines in the bytes so far (without their `\n`).
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [String] {
        pending.append(contentsOf: bytes)
        var lines: [String] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: 0x0A) {
            lines.append(String(decoding: pending[start..<newline], as: UTF8.self))
            start = newline + 1
        }
        pending.removeFirst(start)
        return lines
    }

    /// The last line, when the stream does not end with `\n`.
    public mutating func finish() -> String? {
        defer { pending = [] }
        return pending.isEmpty ? nil : String(decoding: pending, as: UTF8.self)
    }
}
