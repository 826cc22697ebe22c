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
    static func check(_ s: String, requireVersion: Bool, allowMinor: Bool, allowSystem: Bool = false) -> Problem? {
        let u = Array(s.utf8)
        guard u.count > 5, u[0] == 0x64, u[1] == 0x74, u[2] == 0x6D, u[3] == 0x69, u[4] == 0x3A else { return .notDTMI }
        var i = 5
        var sawSystem = false
        // path segments
        while true {
            let start = i
            guard i < u.count else { return .notDTMI }
            let first = u[i]
            let isSystem = first == 0x5F
            if isSystem { sawSystem = true } else if !isLetter(first) { return .notDTMI }
            i += 1
            while i < u.count, isLetter(u[i]) || isDigit(u[i]) || u[i] == 0x5F { i += 1 }
            // a segment must not end with '_' (a lone system '_' prefix segment needs more chars)
            if u[i - 1] == 0x5F { return .notDTMI }
            if isSystem && i - start < 2 { return .notDTMI }
            if i < u.count, u[i] == 0x3A {
                i += 1
                continue
            }
            break
        }
        var hasVersion = false
        if i < u.count, u[i] == 0x3B {
            i += 1
            guard let after = digits(u, &i, max: 9) else { return .notDTMI }
            i = after
            hasVersion = true
            if i < u.count, u[i] == 0x2E {
                guard allowMinor else { return .notDTMI }
                i += 1
                guard let after2 = digits(u, &i, max: 6) else { return .notDTMI }
                i = after2
            }
        }
        if i < u.count, u[i] == 0x23 { return .fragment }
        guard i == u.count else { return .notDTMI }
        if sawSystem && !allowSystem { return .systemSegment }
        if requireVersion && !hasVersion { return .missingVersion }
        return nil
    }

    /// Reads 1...max digits without a leading zero; returns the index after them.
    private static func digits(_ u: [UInt8], _ i: inout Int, max: Int) -> Int? {
        let start = i
        var j = i
        while j < u.count, isDigit(u[j]) { j += 1 }
        let n = j - start
        guard n >= 1, n <= max, u[start] != 0x30 else { return nil }
        return j
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Whether the DTMI is under a prefix DTDL reserves for itself.
    static func isReserved(_ s: String) -> Bool {
        s.hasPrefix("dtmi:dtdl:") || s.hasPrefix("dtmi:standard:")
    }

    /// Whether a name matches the DTDL name pattern `^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$`.
    static func isValidName(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let f = u.first, isLetter(f), let l = u.last, isLetter(l) || isDigit(l) else { return false }
        return u.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x5F }
    }

    /// Whether a language tag is well formed (BCP 47 shape: alphanumeric subtags of 1-8 chars,
    /// the first alphabetic).
    static func isLanguageTag(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        // The primary language subtag is lowercase (`en`, not `EN` or `FOO`).
        guard let first = parts.first, (2...3).contains(first.utf8.count) || first == "i" || first == "x",
              first.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A })
        else { return false }
        for p in parts.dropFirst() {
            guard (1...8).contains(p.utf8.count), p.utf8.allSatisfy({ isLetter($0) || isDigit($0) }) else { return false }
        }
        return true
    }

    /// The id with a segment inserted before the version: `dtmi:a:b;1` + `_schema` → `dtmi:a:b:_schema;1`.
    static func child(of parent: String, segment: String) -> String {
        if let semi = parent.lastIndex(of: ";") {
            return parent[..<semi] + ":" + segment + parent[semi...]
        }
        return parent + ":" + segment
    }
}
