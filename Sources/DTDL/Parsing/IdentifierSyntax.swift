/// DTMI syntax checks for model identifiers, without regular expressions (the DTMI grammar is
/// simple enough to scan by hand, and this keeps Sources/DTDL free of Foundation). The parser
/// needs the per-version variants (v2: version required, no minor; v3: optional `N.M`) and the
/// distinction between a fragment, a system segment and plain bad syntax, which select different
/// validation ids; `DTMI` is the general-purpose value type.
enum IdentifierSyntax {
    /// What is wrong with an identifier.
    enum Problem: Sendable, Equatable {
        /// Not a DTMI at all.
        case notDTMI
        /// Has a `#fragment`.
        case fragment
        /// Has a system segment (starting with `_`), which only synthesised ids may have.
        case systemSegment
        /// No version where one is required (DTDL v2).
        case missingVersion
    }

    /// Checks a DTMI. `requireVersion`: DTDL v2 ids need `;N`. `allowMinor`: v3 allows `;N.M`.
    /// `allowSystem`: accept `_`-segments (synthesised ids).
    static func check(
        _ identifier: String, requireVersion: Bool, allowMinor: Bool, allowSystem: Bool = false
    ) -> Problem? {
        let bytes = Array(identifier.utf8)
        guard bytes.count > 5, bytes[0] == 0x64, bytes[1] == 0x74, bytes[2] == 0x6D, bytes[3] == 0x69, bytes[4] == 0x3A
        else { return .notDTMI }
        var position = 5
        var sawSystem = false
        // path segments
        while true {
            let segmentStart = position
            guard position < bytes.count else { return .notDTMI }
            let first = bytes[position]
            let isSystem = first == 0x5F
            if isSystem { sawSystem = true } else if !isLetter(first) { return .notDTMI }
            position += 1
            while position < bytes.count, isNameByte(bytes[position]) { position += 1 }
            // a segment must not end with '_' (a lone system '_' prefix segment needs more chars)
            if bytes[position - 1] == 0x5F { return .notDTMI }
            if isSystem && position - segmentStart < 2 { return .notDTMI }
            if position < bytes.count, bytes[position] == 0x3A {
                position += 1
                continue
            }
            break
        }
        var hasVersion = false
        if position < bytes.count, bytes[position] == 0x3B {
            position += 1
            guard let majorEnd = digits(bytes, &position, max: 9) else { return .notDTMI }
            position = majorEnd
            hasVersion = true
            if position < bytes.count, bytes[position] == 0x2E {
                guard allowMinor else { return .notDTMI }
                position += 1
                guard let minorEnd = digits(bytes, &position, max: 6) else { return .notDTMI }
                position = minorEnd
            }
        }
        if position < bytes.count, bytes[position] == 0x23 { return .fragment }
        guard position == bytes.count else { return .notDTMI }
        if sawSystem && !allowSystem { return .systemSegment }
        if requireVersion && !hasVersion { return .missingVersion }
        return nil
    }

    /// Reads 1...max digits without a leading zero; returns the index after them.
    private static func digits(_ bytes: [UInt8], _ position: inout Int, max: Int) -> Int? {
        let start = position
        var end = position
        while end < bytes.count, isDigit(bytes[end]) { end += 1 }
        let count = end - start
        guard count >= 1, count <= max, bytes[start] != 0x30 else { return nil }
        return end
    }

    /// Whether a byte is an ASCII letter.
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
    /// Whether a byte is an ASCII digit.
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    /// Whether a byte may continue a path segment: a letter, a digit or '_'.
    private static func isNameByte(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) || byte == 0x5F }

    /// Whether the DTMI is under a prefix DTDL reserves for itself.
    static func isReserved(_ identifier: String) -> Bool {
        identifier.hasPrefix("dtmi:dtdl:") || identifier.hasPrefix("dtmi:standard:")
    }

    /// Whether a name matches the DTDL name pattern `^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$`.
    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, isLetter(first), let last = bytes.last, isLetter(last) || isDigit(last) else {
            return false
        }
        return bytes.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x5F }
    }

    /// Whether a language tag is well formed (BCP 47 shape: alphanumeric subtags of 1-8 chars,
    /// the first alphabetic).
    static func isLanguageTag(_ tag: String) -> Bool {
        let subtags = tag.split(separator: "-", omittingEmptySubsequences: false)
        // The primary language subtag is lowercase (`en`, not `EN` or `FOO`).
        guard let first = subtags.first, (2...3).contains(first.utf8.count) || first == "i" || first == "x",
            first.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A })
        else { return false }
        for subtag in subtags.dropFirst() {
            guard (1...8).contains(subtag.utf8.count), subtag.utf8.allSatisfy({ isLetter($0) || isDigit($0) }) else {
                return false
            }
        }
        return true
    }

    /// The id with a segment inserted before the version: `dtmi:a:b;1` + `_schema` → `dtmi:a:b:_schema;1`.
    static func child(of parent: String, segment: String) -> String {
        if let semicolon = parent.lastIndex(of: ";") {
            return parent[..<semicolon] + ":" + segment + parent[semicolon...]
        }
        return parent + ":" + segment
    }
}
