/// Splits a SQL script into its statements.
///
/// PostgresNIO speaks only the extended query protocol, which takes one statement at a time,
/// while migration files hold several. The splitter understands what can hide a `;`:
/// single-quoted strings (with `''` and `E'\''`), quoted identifiers, dollar-quoted bodies
/// (`$$…$$`, `$tag$…$tag$`), and `--` and nested `/* */` comments.
public enum SQLScript {
    /// The statements of `script`, trimmed, without empty ones.
    public static func statements(_ script: String) -> [String] {
        let s = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0

        func flush() {
            let text = String(current).trimmingWhitespace()
            if !text.isEmpty && !text.isOnlyComments { statements.append(text) }
            current = .init()
        }
        func copy(_ n: Int) {
            for k in 0..<n where i + k < s.count { current.append(s[i + k]) }
            i += n
        }

        while i < s.count {
            let c = s[i]
            let next: Unicode.Scalar? = i + 1 < s.count ? s[i + 1] : nil
            switch c {
            case ";":
                i += 1
                flush()
            case "-" where next == "-":
                while i < s.count && s[i] != "\n" { copy(1) }
            case "/" where next == "*":
                var depth = 0
                repeat {
                    if s[i] == "/" && i + 1 < s.count && s[i + 1] == "*" {
                        depth += 1
                        copy(2)
                    } else if s[i] == "*" && i + 1 < s.count && s[i + 1] == "/" {
                        depth -= 1
                        copy(2)
                    } else {
                        copy(1)
                    }
                } while i < s.count && depth > 0
            case "'":
                let escapes = i > 0 && (s[i - 1] == "E" || s[i - 1] == "e")
                copy(1)
                while i < s.count {
                    if escapes && s[i] == "\\" {
                        copy(2)
                    } else if s[i] == "'" {
                        if i + 1 < s.count && s[i + 1] == "'" { copy(2) } else { copy(1); break }
                    } else {
                        copy(1)
                    }
                }
            case "\"":
                copy(1)
                while i < s.count {
                    if s[i] == "\"" {
                        if i + 1 < s.count && s[i + 1] == "\"" { copy(2) } else { copy(1); break }
                    } else {
                        copy(1)
                    }
                }
            case "$":
                // A dollar-quote tag: $[letters, digits, _]*$ (not a positional parameter like $1).
                var j = i + 1
                while j < s.count,
                    s[j] == "_" || s[j].properties.isAlphabetic || (j > i + 1 && ("0"..."9").contains(s[j]))
                {
                    j += 1
                }
                if j < s.count, s[j] == "$" {
                    let tag = Array(s[i...j])
                    copy(tag.count)
                    while i < s.count {
                        if s[i] == "$" && i + tag.count <= s.count && Array(s[i..<(i + tag.count)]) == tag {
                            copy(tag.count)
                            break
                        }
                        copy(1)
                    }
                } else {
                    copy(1)
                }
            default:
                copy(1)
            }
        }
        flush()
        return statements
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    /// Whether the text holds only `--` comments (a trailing comment after the last `;`).
    fileprivate var isOnlyComments: Bool {
        split(separator: "\n").allSatisfy { line in
            let t = line.drop { $0 == " " || $0 == "\t" }
            return t.isEmpty || t.hasPrefix("--")
        }
    }
}
