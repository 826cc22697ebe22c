// Build-time tool: embeds `migrations/NNNN_name.sql` files into Swift source so that the
// `twins` binary carries its schema and needs no files beside it at run time.
// Usage: MigrationEmbedder OUTPUT.swift FILE.sql...
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: MigrationEmbedder OUTPUT.swift FILE.sql...\n".utf8))
    exit(2)
}

func swiftLiteral(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

var entries: [String] = []
var seen: Set<Int> = []
for path in arguments.dropFirst().sorted() {
    let file = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    guard let underscore = file.firstIndex(of: "_"), let version = Int(file[..<underscore]) else {
        FileHandle.standardError.write(Data("error: \(path): migration files are named NNNN_description.sql\n".utf8))
        exit(1)
    }
    guard seen.insert(version).inserted else {
        FileHandle.standardError.write(Data("error: \(path): migration version \(version) is used twice\n".utf8))
        exit(1)
    }
    let name = String(file[file.index(after: underscore)...])
    let sql = try String(contentsOfFile: path, encoding: .utf8)
    entries.append("        Migration(version: \(version), name: \(swiftLiteral(name)), sql: \(swiftLiteral(sql))),")
}

let source = """
    // Generated at build time from migrations/*.sql. Do not edit.
    extension Migration {
        /// Every migration of this build, in version order.
        static let embedded: [Migration] = [
    \(entries.joined(separator: "\n"))
        ]
    }

    """
try source.write(toFile: output, atomically: true, encoding: .utf8)
