/// A Digital Twin Modeling Identifier, e.g. `dtmi:com:example:Thermostat;1`.
///
/// `init?` accepts exactly the syntax of the DTMI specification: the scheme `dtmi:`, one or more
/// path segments separated by colons, an optional version `;major[.minor]` and an optional
/// fragment `#segment` (possibly empty). A segment is letters, digits and underscores, does not
/// start with a digit and does not end with an underscore; a segment starting with an underscore
/// is a system segment. The major version has 1 to 9 digits, the minor version 1 to 6, and
/// neither starts with zero. The DTMI specification also limits a DTMI to 4,096 characters and
/// a user DTMI to 2,048; DTDL's own, version-dependent limits are in ``DTDLIdentifierRules``.
///
/// Equality, hashing and ordering are those of the text (case-sensitive).
public struct DTMI: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The maximum length of any DTMI, in characters.
    public static let maxLength = 4096
    /// The maximum length of a user DTMI (one without system segments or fragment), in characters.
    public static let maxUserLength = 2048

    /// The identifier as written.
    public let rawValue: String
    /// The path segments, e.g. `["com", "example", "Thermostat"]`.
    public let labels: [String]
    /// The major version, or `nil` when the identifier has no version.
    public let majorVersion: Int?
    /// The minor version, or `nil` when the identifier has no version or a one-part version.
    public let minorVersion: Int?
    /// The fragment without its `#`: `nil` when there is none, `""` for a bare `#`.
    public let fragment: String?

    /// Parses `text`; `nil` unless it is a syntactically valid DTMI within the DTMI
    /// specification's length limits.
    public init?(_ text: String) {
        self.init(text, enforcingLengthLimits: true)
    }

    /// Parses `text`; with `enforcingLengthLimits: false` the 4,096 / 2,048 character limits of
    /// the DTMI specification are not checked (so that a caller can report an over-long
    /// identifier as too long rather than as malformed).
    public init?(_ text: String, enforcingLengthLimits: Bool) {
        let utf8 = text.utf8
        guard utf8.count > 5, utf8.starts(with: "dtmi:".utf8) else { return nil }
        var labels: [String] = []
        var major: Int?
        var minor: Int?
        var fragment: String?
        var index = utf8.index(utf8.startIndex, offsetBy: 5)
        // Path: segment (':' segment)*
        while true {
            guard let end = DTMI.scanSegment(utf8, from: index) else { return nil }
            labels.append(String(text[index..<end]))
            index = end
            if index < utf8.endIndex, utf8[index] == UInt8(ascii: ":") {
                index = utf8.index(after: index)
                continue
            }
            break
        }
        // Version
        if index < utf8.endIndex, utf8[index] == UInt8(ascii: ";") {
            index = utf8.index(after: index)
            guard let (value, end) = DTMI.scanNumber(utf8, from: index, maxDigits: 9) else { return nil }
            major = value
            index = end
            if index < utf8.endIndex, utf8[index] == UInt8(ascii: ".") {
                index = utf8.index(after: index)
                guard let (value, end) = DTMI.scanNumber(utf8, from: index, maxDigits: 6) else { return nil }
                minor = value
                index = end
            }
        }
        // Fragment
        if index < utf8.endIndex, utf8[index] == UInt8(ascii: "#") {
            index = utf8.index(after: index)
            if index == utf8.endIndex {
                fragment = ""
            } else {
                guard let end = DTMI.scanSegment(utf8, from: index) else { return nil }
                fragment = String(text[index..<end])
                index = end
            }
        }
        guard index == utf8.endIndex else { return nil }
        self.rawValue = text
        self.labels = labels
        self.majorVersion = major
        self.minorVersion = minor
        self.fragment = fragment
        if enforcingLengthLimits {
            let count = utf8.count  // all characters are ASCII here
            if count > DTMI.maxLength || (!isReserved && count > DTMI.maxUserLength) { return nil }
        }
    }

    /// Whether `text` is a syntactically valid DTMI (within the DTMI specification's length limits).
    public static func isValid(_ text: String) -> Bool { DTMI(text) != nil }

    /// The text.
    public var description: String { rawValue }

    /// Orders by text.
    public static func < (lhs: DTMI, rhs: DTMI) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The version as one number, major + minor × 10⁻⁶ (so 3.14 gives 3.000014, and ordering by
    /// this number orders by version); `nil` when there is no version.
    public var completeVersion: Double? {
        guard let major = majorVersion else { return nil }
        return Double(major) + Double(minorVersion ?? 0) * 0.000001
    }

    /// Whether the identifier has a version.
    public var hasVersion: Bool { majorVersion != nil }

    /// The identifier without its version (the fragment, if any, is kept), e.g.
    /// `dtmi:foo:bar#frag` for `dtmi:foo:bar;1#frag`.
    public var versionless: String {
        guard hasVersion else { return rawValue }
        var s = "dtmi:" + labels.joined(separator: ":")
        if let fragment { s += "#" + fragment }
        return s
    }

    /// The identifier without its fragment.
    public var fragmentless: DTMI {
        guard fragment != nil, let hash = rawValue.firstIndex(of: "#") else { return self }
        return DTMI(trusted: String(rawValue[..<hash]), labels: labels, major: majorVersion, minor: minorVersion)
    }

    /// Whether the identifier is a system DTMI: it has a path segment or a fragment that starts
    /// with an underscore. Such identifiers are reserved for identifiers the parser generates.
    public var isReserved: Bool {
        if let fragment, fragment.utf8.first == UInt8(ascii: "_") { return true }
        return labels.contains { $0.utf8.first == UInt8(ascii: "_") }
    }

    /// Whether the identifier starts with a prefix that DTDL reserves for the language itself:
    /// `dtmi:dtdl:` or `dtmi:standard:`.
    public var hasDTDLReservedPrefix: Bool {
        guard let first = labels.first else { return false }
        return labels.count > 1 && (first == "dtdl" || first == "standard")
    }

    private init(trusted: String, labels: [String], major: Int?, minor: Int?) {
        self.rawValue = trusted
        self.labels = labels
        self.majorVersion = major
        self.minorVersion = minor
        self.fragment = nil
    }

    /// Scans one segment starting at `start`; returns the index after it, or `nil` if malformed.
    private static func scanSegment(_ utf8: String.UTF8View, from start: String.Index) -> String.Index? {
        var i = start
        guard i < utf8.endIndex else { return nil }
        let first = utf8[i]
        guard isLetter(first) || first == UInt8(ascii: "_") else { return nil }
        var last = first
        i = utf8.index(after: i)
        while i < utf8.endIndex {
            let c = utf8[i]
            guard isLetter(c) || isDigit(c) || c == UInt8(ascii: "_") else { break }
            last = c
            i = utf8.index(after: i)
        }
        // Must not end with an underscore (so "_" alone and "__" are malformed too).
        return last == UInt8(ascii: "_") ? nil : i
    }

    /// Scans a version number without leading zero, of at most `maxDigits` digits.
    private static func scanNumber(
        _ utf8: String.UTF8View, from start: String.Index, maxDigits: Int
    ) -> (Int, String.Index)? {
        var i = start
        guard i < utf8.endIndex, utf8[i] >= UInt8(ascii: "1"), utf8[i] <= UInt8(ascii: "9") else { return nil }
        var value = 0
        var digits = 0
        while i < utf8.endIndex, isDigit(utf8[i]) {
            value = value * 10 + Int(utf8[i] - UInt8(ascii: "0"))
            digits += 1
            if digits > maxDigits { return nil }
            i = utf8.index(after: i)
        }
        return (value, i)
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}

/// The identifier rules a DTDL version adds to the DTMI syntax, from the language's metamodel
/// (its global identifier restriction and the Interface identifier restriction).
public struct DTDLIdentifierRules: Sendable, Hashable {
    /// The DTDL major version (2 or 3).
    public let dtdlVersion: Int
    /// The regular expression every identifier in a model must match (user DTMI, no fragment).
    public let pattern: String
    /// The maximum length of an element identifier (2,048 in v2 and v3).
    public let maxIdLength: Int
    /// The maximum length of an Interface identifier (128 in v2 and v3).
    public let maxInterfaceIdLength: Int
    /// Identifier prefixes reserved by the language (`dtmi:dtdl:`, `dtmi:standard:`).
    public let reservedPrefixes: [String]
    /// Whether a model identifier must have a version (v2: yes; v3: no).
    public let requiresVersion: Bool
    /// Whether a two-part version `;major.minor` is allowed (v2: no; v3: yes).
    public let allowsMinorVersion: Bool
    /// Whether undefined extension terms are allowed unless the caller says otherwise.
    public let allowsUndefinedExtensionsByDefault: Bool
    /// The maximum size in bytes of the JSON text of one Interface, or `nil` when unlimited.
    public let maxInterfaceBytes: Int?

    /// The rules of DTDL v2.
    public static let v2 = DTDLIdentifierRules.make(2)
    /// The rules of DTDL v3.
    public static let v3 = DTDLIdentifierRules.make(3)

    /// The rules of a DTDL major version, `nil` for an unknown version.
    public static func forVersion(_ version: Int) -> DTDLIdentifierRules? {
        switch version {
        case 2: return v2
        case 3: return v3
        default: return nil
        }
    }

    /// Whether `dtmi` is acceptable as the `@id` of a model element under these rules (user DTMI,
    /// no fragment, version as required, within the length limit). Reserved prefixes are not
    /// checked here; see ``DTMI/hasDTDLReservedPrefix``.
    public func accepts(_ dtmi: DTMI, isInterface: Bool = false) -> Bool {
        guard !dtmi.isReserved, dtmi.fragment == nil else { return false }
        if requiresVersion && !dtmi.hasVersion { return false }
        if !allowsMinorVersion && dtmi.minorVersion != nil { return false }
        return dtmi.rawValue.utf8.count <= (isInterface ? maxInterfaceIdLength : maxIdLength)
    }

    private static func make(_ version: Int) -> DTDLIdentifierRules {
        let row = DTDLContexts.identifierRuleRows.first { $0.0 == version }!
        return DTDLIdentifierRules(
            dtdlVersion: version, pattern: row.1, maxIdLength: row.2, maxInterfaceIdLength: row.3,
            reservedPrefixes: row.4, requiresVersion: !row.1.contains(")?$"),
            allowsMinorVersion: row.1.contains("\\."), allowsUndefinedExtensionsByDefault: row.5,
            maxInterfaceBytes: row.6 > 0 ? row.6 : nil)
    }
}
