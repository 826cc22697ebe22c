import ADTWire
import DTDL
import TwinQuery

/// Writes a query page's JSON from result columns, without decoding the documents (except to
/// drop `$lastUpdateTime` for old api-versions).
struct QueryPageWriter {
    let output: QueryOutput
    let withLastUpdateTime: Bool
    private(set) var rowCount = 0
    private var bytes: [UInt8] = Array(#"{"value":["#.utf8)

    init(output: QueryOutput, withLastUpdateTime: Bool) {
        self.output = output
        self.withLastUpdateTime = withLastUpdateTime
    }

    mutating func appendCount(_ count: Int64) {
        separate()
        bytes += Array(#"{"COUNT":\#(count)}"#.utf8)
    }

    /// A row from its output columns (NULL: a missing projected property).
    mutating func appendRow(_ values: [String?]) throws {
        separate()
        switch output {
        case .count:
            break
        case .document(let kind):
            append(document: values[0] ?? "null", isTwin: kind == .twins)
        case .members(let members):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (member, value) in zip(members, values) {
                guard let value else { continue }
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                bytes += JSONWriter.bytes(.string(member.key))
                bytes.append(UInt8(ascii: ":"))
                append(document: value, isTwin: member.kind == .twin)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func separate() {
        if rowCount > 0 { bytes.append(UInt8(ascii: ",")) }
        rowCount += 1
    }

    private mutating func append(document text: String, isTwin: Bool) {
        if isTwin, !withLastUpdateTime, case .object(let twin)? = try? JSONParser.parse(text) {
            bytes += JSONWriter.bytes(.object(TwinStoreOutput.withoutLastUpdateTime(twin)))
        } else {
            bytes += Array(text.utf8)
        }
    }

    mutating func finish(continuationToken: String?) -> [UInt8] {
        bytes += Array(#"],"continuationToken":"#.utf8)
        bytes += continuationToken.map { JSONWriter.bytes(.string($0)) } ?? Array("null".utf8)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
