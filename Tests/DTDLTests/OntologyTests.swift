import Foundation
import Testing
@testable import DTDL

/// Real-world ontologies parse and resolve as one batch each, with one interface per manifest row.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.skipMessage)))
struct OntologyTests {
    @Test(
        "ontology resolves as one batch",
        arguments: ["realestatecore", "energygrid", "smartcities", "isa95", "willow-building"])
    func ontology(name: String) throws {
        let files = Fixtures.jsonFiles(under: "ontologies/\(name)")
        let documents = try files.map(Fixtures.load)
        let manifest = try String(contentsOf: Fixtures.url("ontologies/manifests/\(name).tsv"), encoding: .utf8)
        let rows = manifest.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        let ids = Set(rows.map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[1]) })
        let clock = ContinuousClock()
        var graph: ModelGraph?
        let elapsed = try clock.measure { graph = try ModelParser.parse(documents: documents) }
        let g = try #require(graph)
        #expect(g.interfaces.count == rows.count)
        #expect(Set(g.interfaces.keys) == ids)
        #expect(files.count == rows.count)
        print("ontology \(name): \(g.interfaces.count) interfaces parsed and resolved in \(elapsed)")
    }

    /// The upload path of a store: batches of at most 250 models (ADT's limit per `POST /models`)
    /// in dependency order, each resolved against the models stored before, with ADT restrictions.
    @Test("ontology uploads in batches of 250", arguments: ["realestatecore", "isa95", "willow-building"])
    func batchedUpload(name: String) throws {
        let manifest = try String(contentsOf: Fixtures.url("ontologies/manifests/\(name).tsv"), encoding: .utf8)
        let rows = manifest.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        // Order by dependencies (extends and component schemas), bases first.
        var byID: [String: [String]] = [:]
        for r in rows { byID[r[1]] = r }
        var ordered: [[String]] = []
        var done: Set<String> = []
        func visit(_ id: String) {
            guard !done.contains(id), let r = byID[id] else { return }
            done.insert(id)
            for dep in (r[3] + " " + r[5]).split(separator: " ") { visit(String(dep)) }
            ordered.append(r)
        }
        for r in rows { visit(r[1]) }
        var graph = ModelGraph.empty
        for start in stride(from: 0, to: ordered.count, by: 250) {
            let batch = try ordered[start..<min(start + 250, ordered.count)].map {
                try Fixtures.load(Fixtures.url("ontologies/\(name)/\($0[0])"))
            }
            graph = try ModelParser.parse(documents: batch, options: .init(adtRestrictions: true), existing: graph)
        }
        #expect(graph.interfaces.count == rows.count)
    }

    @Test func willowInheritanceIsMergedAlongTenLevels() throws {
        let documents = try Fixtures.jsonFiles(under: "ontologies/willow-building").map(Fixtures.load)
        let g = try ModelParser.parse(documents: documents)
        let deepest = g.interfaces.values.max { $0.allBases.count < $1.allBases.count }
        let m = try #require(deepest)
        #expect(m.allBases.count >= 10)
        // Every inherited property is visible on the derived interface.
        for b in m.allBases {
            for name in (g[b]?.properties ?? [:]).keys {
                #expect(m.properties[name] != nil, "\(m.id) lacks \(name) of \(b)")
            }
        }
    }
}
