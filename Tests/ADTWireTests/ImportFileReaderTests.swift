import ADTWire
import Testing

@Suite struct ImportFileReaderTests {
    /// Reads every line, returning what each was or the error that stopped the file.
    func read(_ lines: [String]) -> (lines: [ImportLine], error: ImportFileError?) {
        var reader = ImportFileReader()
        var out: [ImportLine] = []
        for line in lines {
            do {
                out.append(try reader.next(Substring(line)))
            } catch {
                return (out, error)
            }
        }
        return (out, nil)
    }

    @Test func readsTheSectionsInOrder() throws {
        let (lines, error) = read([
            #"{"Section": "Header"}"#, #"{"fileVersion": "1.0.0", "author": "a", "organization": "o"}"#,
            #"{"Section": "Models"}"#, #"{"@id": "dtmi:ex:A;1"}"#, "",
            #"{"Section": "Twins"}"#, #"{"$dtId": "t1", "$metadata": {"$model": "dtmi:ex:A;1"}}"#,
            #"{"section": "relationships"}"#, #"{"$dtId": "t1", "$relationshipId": "r"}"#,
        ])
        #expect(error == nil)
        let kinds = lines.map { line -> String in
            switch line {
            case .blank: "blank"
            case .section(let s): "section \(s.rawValue)"
            case .header: "header"
            case .item(let s, _): "item \(s.rawValue)"
            case .invalid: "invalid"
            }
        }
        #expect(
            kinds == [
                "section Header", "header", "section Models", "item Models", "blank", "section Twins", "item Twins",
                "section Relationships", "item Relationships",
            ])
    }

    @Test(arguments: [
        ([#"{"$dtId": "t1"}"#], 1, "must start with"),
        ([#"{"Section": "Twins"}"#], 1, "must start with the Header"),
        ([#"{"Section": "Header"}"#, #"{"Section": "Twins"}"#], 2, "Header section is empty"),
        ([#"{"Section": "Header"}"#, "{}", #"{"Section": "Twins"}"#, #"{"Section": "Models"}"#], 4, "comes after"),
        ([#"{"Section": "Header"}"#, "{}", #"{"Section": "Twins"}"#, #"{"Section": "Twins"}"#], 4, "comes after"),
        ([#"{"Section": "Header"}"#, "{}", #"{"Section": "Edges"}"#], 3, "unknown section"),
        ([#"{"Section": "Header"}"#, "not json"], 2, "not JSON"),
        ([#"{"Section": "Header"}"#, "{}", "{}"], 3, "holds one object"),
    ])
    func refusesFilesThatAreNotInTheFormat(lines: [String], line: Int, words: String) {
        let (_, error) = read(lines)
        #expect(error?.line == line)
        #expect(error?.message.contains(words) == true, "\(String(describing: error))")
    }

    @Test func aBadItemLineIsInvalidAndReadingGoesOn() {
        let (lines, error) = read([
            #"{"Section": "Header"}"#, "{}", #"{"Section": "Twins"}"#, "{not json", "[1]",
            #"{"$dtId": "t2", "$metadata": {"$model": "dtmi:ex:A;1"}}"#,
        ])
        #expect(error == nil)
        guard lines.count == 6 else {
            Issue.record("\(lines.count) lines")
            return
        }
        if case .invalid = lines[3] {} else { Issue.record("line 4 should be invalid") }
        if case .invalid = lines[4] {} else { Issue.record("line 5 should be invalid") }
        if case .item(.twins, let twin) = lines[5] { #expect(twin["$dtId"] == "t2") } else { Issue.record("line 6") }
    }
}
