import ADTWire
import DTDL
import GatewayTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The graph the query conformance suite runs against, created through the public API
/// (`POST /models`, `PUT /digitaltwins/{id}`, `PUT /digitaltwins/{src}/relationships/{id}`).
///
/// Models (DTDL v3 unless noted):
///
///     Space;1 ─┬─ Building;1
///              ├─ Floor;1
///              ├─ Room;1 ── Office;1
///              └─ Room;2 ── ConferenceRoom;1 ── Boardroom;1     (Room;2 is a later version of Room;1)
///     Thermostat;1 (v2, component interface), Sensor;1 (v2, component `thermostat`), Equipment;1 (v2)
///
/// Twins (27): 17 spaces, 6 sensors, 4 equipment. Property table (– = not set):
///
///     id                  model             name        capacity occupied level status  other
///     bldg1               Building;1        HQ          500      true     10.5  open    Group BravoTeam, tags{red:yes,env:prod,1st:gold,"has space":x},
///                                                                                      address{Seattle,98101}, floorNumbers[1,2,3], keywords[wifi,parking], yearBuilt 1999
///     bldg2               Building;1        Annex       –        false    –     closed  Group AlphaTeam, tags{blue:no}, address{Redmond}, floorNumbers[], keywords[wifi]
///     floor1              Floor;1           Ground      120      true     2     open    floorNumbers[1]      (level is the JSON integer 2)
///     floor2              Floor;1           First       80       –        2.5   closed  floorNumbers[2,20]
///     floor3              Floor;1           Loft        –        –        -1.5  –       floorNumbers[3]
///     room101             Room;1            Lobby       50       false    –     –       roomType lobby, tags{red:no}, address{Seattle,98102}
///     room102             Room;2            Kitchen     12       true     –     –       roomType kitchen, area 30.5, tags{blue:yes}, keywords[coffee,wifi]
///     room201             Room;2            Office 201  2        true     –     open    roomType office, area 12.25
///     room202             ConferenceRoom;1  Big Room    20       false    –     –       roomType meeting, seats 16, area 45.75
///     room203             Boardroom;1       Board       10       –        –     –       roomType meeting, seats 10, hasVideo true
///     room301             Office;1          corner      1        false    –     –       roomType office, owner Dana
///     room302             Room;1            Storage     –        –        –     closed
///     zone1               Space;1           Zone One    0        –        –     open    tags{}
///     zone2               Space;1           zebra       7        –        0.25  –
///     zone-empty          Space;1           (nothing set)
///     quote-1             Space;1           O'Brien's "Den" \ path                      Group D'Souza
///     area1-zone          Space;1           Area 1      –        –        –     open
///     sensor-a1           Sensor;1          –           "50"(string)      –     true    serial SN-001, thermostat{temperature 21.5, targetTemperature 22.5, mode heat}
///     sensor-a2           Sensor;1          –           –                 –     false   serial SN-002, thermostat{temperature 25.5, mode cool}
///     sensor-b1           Sensor;1          –           –                 –     –       serial sn-003, thermostat{}
///     sensor-b2           Sensor;1          B2          –                 –     true    thermostat{temperature 18.25, targetTemperature 18.25, mode off}
///     sensor-x-small      Sensor;1          –           –                 –     –       serial X-9, thermostat{temperature 30.5, mode heat}
///     area1-sensor-small  Sensor;1          –           –                 –     –       serial A1, thermostat{}
///     hvac1               Equipment;1       HVAC 1      –                 –     1       serial HV-1
///     hvac2               Equipment;1       HVAC 2      –                 –     2       serial HV-2
///     pump1               Equipment;1       Pump        –                 –     –       serial P-1
///     area1-hvac          Equipment;1       –           –                 –     3       serial HV-3
///
/// Relationships (19; ids are unique across the graph):
///
///     contains (15): b1-f1 bldg1→floor1 {since 2020-01-01T00:00:00Z, weight 1}
///                    b1-f2 bldg1→floor2 {since 2021-06-01T00:00:00Z, weight 2, note "new wing"}
///                    f1-r101 floor1→room101 {weight 1}      f1-r102 floor1→room102 {weight 3, note "main"}
///                    f2-r201 floor2→room201 {since 2022-03-15T08:30:00Z}
///                    f2-r202 floor2→room202 {weight 5}      f2-r203 floor2→room203 {weight 2}
///                    r101-sa1 room101→sensor-a1  r102-sa2 room102→sensor-a2  r201-sb1 room201→sensor-b1 {note "Été"}  r202-sb2 room202→sensor-b2
///                    f3-r301 floor3→room301  r301-r302 room301→room302  r302-f3 room302→floor3   (a 3-cycle)
///                    a1-s area1-zone→area1-sensor-small
///     isAssociatedWith (1): b1-pump bldg1→pump1
///     isServicedBy (3): hvac1-r101 hvac1→room101 {priority 1}, hvac1-r102 hvac1→room102 {priority 2},
///                       hvac2-r201 hvac2→room201 {priority 1}
struct QueryFixture: Sendable {
    static let v = GatewayTest.version

    /// Every twin as `GET /digitaltwins/{id}` returns it after the whole fixture was loaded.
    var twins: [String: JSONValue]
    /// Every relationship, by relationship id, as `GET .../relationships/{id}` returns it.
    var relationships: [String: JSONValue]

    static let models = """
        [{"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Space;1","@type":"Interface","contents":[
           {"@type":"Property","name":"name","schema":"string"},
           {"@type":"Property","name":"capacity","schema":"integer"},
           {"@type":"Property","name":"occupied","schema":"boolean"},
           {"@type":"Property","name":"level","schema":"double"},
           {"@type":"Property","name":"status","schema":"string"},
           {"@type":"Property","name":"Group","schema":"string"},
           {"@type":"Property","name":"tags","schema":{"@type":"Map","mapKey":{"name":"tagName","schema":"string"},"mapValue":{"name":"tagValue","schema":"string"}}},
           {"@type":"Property","name":"address","schema":{"@type":"Object","fields":[{"name":"city","schema":"string"},{"name":"zip","schema":"string"}]}},
           {"@type":"Property","name":"floorNumbers","schema":{"@type":"Array","elementSchema":"integer"}},
           {"@type":"Property","name":"keywords","schema":{"@type":"Array","elementSchema":"string"}},
           {"@type":"Relationship","name":"contains","properties":[
              {"@type":"Property","name":"since","schema":"dateTime"},
              {"@type":"Property","name":"weight","schema":"integer"},
              {"@type":"Property","name":"note","schema":"string"}]},
           {"@type":"Relationship","name":"isAssociatedWith"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Building;1","@type":"Interface","extends":"dtmi:ex:Space;1","contents":[
           {"@type":"Property","name":"yearBuilt","schema":"integer"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Floor;1","@type":"Interface","extends":"dtmi:ex:Space;1"},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Room;1","@type":"Interface","extends":"dtmi:ex:Space;1","contents":[
           {"@type":"Property","name":"roomType","schema":"string"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Room;2","@type":"Interface","extends":"dtmi:ex:Space;1","contents":[
           {"@type":"Property","name":"roomType","schema":"string"},
           {"@type":"Property","name":"area","schema":"double"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:ConferenceRoom;1","@type":"Interface","extends":"dtmi:ex:Room;2","contents":[
           {"@type":"Property","name":"seats","schema":"integer"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Boardroom;1","@type":"Interface","extends":"dtmi:ex:ConferenceRoom;1","contents":[
           {"@type":"Property","name":"hasVideo","schema":"boolean"}]},
         {"@context":"dtmi:dtdl:context;3","@id":"dtmi:ex:Office;1","@type":"Interface","extends":"dtmi:ex:Room;1","contents":[
           {"@type":"Property","name":"owner","schema":"string"}]},
         {"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Thermostat;1","@type":"Interface","contents":[
           {"@type":"Property","name":"temperature","schema":"double"},
           {"@type":"Property","name":"targetTemperature","schema":"double","writable":true},
           {"@type":"Property","name":"mode","schema":"string"}]},
         {"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Sensor;1","@type":"Interface","contents":[
           {"@type":"Component","name":"thermostat","schema":"dtmi:ex:Thermostat;1"},
           {"@type":"Property","name":"name","schema":"string"},
           {"@type":"Property","name":"serial","schema":"string"},
           {"@type":"Property","name":"capacity","schema":"string"},
           {"@type":"Property","name":"status","schema":"boolean"}]},
         {"@context":"dtmi:dtdl:context;2","@id":"dtmi:ex:Equipment;1","@type":"Interface","contents":[
           {"@type":"Property","name":"name","schema":"string"},
           {"@type":"Property","name":"serial","schema":"string"},
           {"@type":"Property","name":"status","schema":"integer"},
           {"@type":"Relationship","name":"isServicedBy","properties":[
              {"@type":"Property","name":"priority","schema":"integer"}]}]}]
        """

    /// (id, model, properties as JSON members without braces).
    static let twinBodies: [(String, String, String)] = [
        (
            "bldg1", "Building;1",
            #""name":"HQ","capacity":500,"occupied":true,"level":10.5,"status":"open","Group":"BravoTeam","tags":{"red":"yes","env":"prod","1st":"gold","has space":"x"},"address":{"city":"Seattle","zip":"98101"},"floorNumbers":[1,2,3],"keywords":["wifi","parking"],"yearBuilt":1999"#
        ),
        (
            "bldg2", "Building;1",
            #""name":"Annex","occupied":false,"status":"closed","Group":"AlphaTeam","tags":{"blue":"no"},"address":{"city":"Redmond"},"floorNumbers":[],"keywords":["wifi"]"#
        ),
        (
            "floor1", "Floor;1",
            #""name":"Ground","capacity":120,"occupied":true,"level":2,"status":"open","floorNumbers":[1]"#
        ),
        ("floor2", "Floor;1", #""name":"First","capacity":80,"level":2.5,"status":"closed","floorNumbers":[2,20]"#),
        ("floor3", "Floor;1", #""name":"Loft","level":-1.5,"floorNumbers":[3]"#),
        (
            "room101", "Room;1",
            #""name":"Lobby","roomType":"lobby","capacity":50,"occupied":false,"tags":{"red":"no"},"address":{"city":"Seattle","zip":"98102"}"#
        ),
        (
            "room102", "Room;2",
            #""name":"Kitchen","roomType":"kitchen","capacity":12,"occupied":true,"area":30.5,"tags":{"blue":"yes"},"keywords":["coffee","wifi"]"#
        ),
        (
            "room201", "Room;2",
            #""name":"Office 201","roomType":"office","capacity":2,"occupied":true,"area":12.25,"status":"open""#
        ),
        (
            "room202", "ConferenceRoom;1",
            #""name":"Big Room","roomType":"meeting","capacity":20,"occupied":false,"seats":16,"area":45.75"#
        ),
        ("room203", "Boardroom;1", #""name":"Board","roomType":"meeting","capacity":10,"seats":10,"hasVideo":true"#),
        ("room301", "Office;1", #""name":"corner","roomType":"office","owner":"Dana","capacity":1,"occupied":false"#),
        ("room302", "Room;1", #""name":"Storage","status":"closed""#),
        ("zone1", "Space;1", #""name":"Zone One","capacity":0,"status":"open","tags":{}"#),
        ("zone2", "Space;1", #""name":"zebra","capacity":7,"level":0.25"#),
        ("zone-empty", "Space;1", ""),
        ("quote-1", "Space;1", #""name":"O'Brien's \"Den\" \\ path","Group":"D'Souza""#),
        ("area1-zone", "Space;1", #""name":"Area 1","status":"open""#),
        (
            "sensor-a1", "Sensor;1",
            #""thermostat":{"$metadata":{},"temperature":21.5,"targetTemperature":22.5,"mode":"heat"},"serial":"SN-001","status":true,"capacity":"50""#
        ),
        (
            "sensor-a2", "Sensor;1",
            #""thermostat":{"$metadata":{},"temperature":25.5,"mode":"cool"},"serial":"SN-002","status":false"#
        ),
        ("sensor-b1", "Sensor;1", #""thermostat":{"$metadata":{}},"serial":"sn-003""#),
        (
            "sensor-b2", "Sensor;1",
            #""thermostat":{"$metadata":{},"temperature":18.25,"targetTemperature":18.25,"mode":"off"},"name":"B2","status":true"#
        ),
        (
            "sensor-x-small", "Sensor;1",
            #""thermostat":{"$metadata":{},"temperature":30.5,"mode":"heat"},"serial":"X-9""#
        ),
        ("area1-sensor-small", "Sensor;1", #""thermostat":{"$metadata":{}},"serial":"A1""#),
        ("hvac1", "Equipment;1", #""name":"HVAC 1","serial":"HV-1","status":1"#),
        ("hvac2", "Equipment;1", #""name":"HVAC 2","serial":"HV-2","status":2"#),
        ("pump1", "Equipment;1", #""name":"Pump","serial":"P-1""#),
        ("area1-hvac", "Equipment;1", #""serial":"HV-3","status":3"#),
    ]

    /// (relationship id, source, target, name, extra properties as JSON members).
    static let relationshipBodies: [(String, String, String, String, String)] = [
        ("b1-f1", "bldg1", "floor1", "contains", #""since":"2020-01-01T00:00:00Z","weight":1"#),
        ("b1-f2", "bldg1", "floor2", "contains", #""since":"2021-06-01T00:00:00Z","weight":2,"note":"new wing""#),
        ("b1-pump", "bldg1", "pump1", "isAssociatedWith", ""),
        ("f1-r101", "floor1", "room101", "contains", #""weight":1"#),
        ("f1-r102", "floor1", "room102", "contains", #""weight":3,"note":"main""#),
        ("f2-r201", "floor2", "room201", "contains", #""since":"2022-03-15T08:30:00Z""#),
        ("f2-r202", "floor2", "room202", "contains", #""weight":5"#),
        ("f2-r203", "floor2", "room203", "contains", #""weight":2"#),
        ("r101-sa1", "room101", "sensor-a1", "contains", ""),
        ("r102-sa2", "room102", "sensor-a2", "contains", ""),
        ("r201-sb1", "room201", "sensor-b1", "contains", #""note":"Été""#),
        ("r202-sb2", "room202", "sensor-b2", "contains", ""),
        ("f3-r301", "floor3", "room301", "contains", ""),
        ("r301-r302", "room301", "room302", "contains", ""),
        ("r302-f3", "room302", "floor3", "contains", ""),
        ("a1-s", "area1-zone", "area1-sensor-small", "contains", ""),
        ("hvac1-r101", "hvac1", "room101", "isServicedBy", #""priority":1"#),
        ("hvac1-r102", "hvac1", "room102", "isServicedBy", #""priority":2"#),
        ("hvac2-r201", "hvac2", "room201", "isServicedBy", #""priority":1"#),
    ]

    static var twinIDs: [String] { twinBodies.map(\.0) }

    /// Uploads the models, creates every twin and relationship (each must be accepted), then
    /// reads them all back.
    static func load(_ http: any TestClientProtocol) async throws -> QueryFixture {
        let created = try await http.send(.post, "/models?\(v)", models)
        try #require(created.status == .created, "models refused: \(String(buffer: created.body))")

        for (id, model, members) in twinBodies {
            let props = members.isEmpty ? "" : "," + members
            let body = #"{"$metadata":{"$model":"dtmi:ex:\#(model)"}\#(props)}"#
            let put = try await http.send(.put, "/digitaltwins/\(id)?\(v)", body)
            try #require(put.status == .ok, "twin \(id) refused: \(String(buffer: put.body))")
        }
        for (relID, source, target, name, members) in relationshipBodies {
            let props = members.isEmpty ? "" : "," + members
            let body = #"{"$targetId":"\#(target)","$relationshipName":"\#(name)"\#(props)}"#
            let put = try await http.send(.put, "/digitaltwins/\(source)/relationships/\(relID)?\(v)", body)
            try #require(put.status == .ok, "relationship \(relID) refused: \(String(buffer: put.body))")
        }

        var twins: [String: JSONValue] = [:]
        for id in twinIDs {
            let got = try await http.send(.get, "/digitaltwins/\(id)?\(v)")
            try #require(got.status == .ok)
            twins[id] = try GatewayTest.json(got)
        }
        var relationships: [String: JSONValue] = [:]
        for (relID, source, _, _, _) in relationshipBodies {
            let got = try await http.send(.get, "/digitaltwins/\(source)/relationships/\(relID)?\(v)")
            try #require(got.status == .ok)
            relationships[relID] = try GatewayTest.json(got)
        }
        return QueryFixture(twins: twins, relationships: relationships)
    }

    /// Replaces placeholders in an expected row: a string `"@twin:<id>"` becomes that twin's
    /// document, `"@twin:<id>/<member>/<member>"` a value inside it, `"@rel:<id>"` a relationship
    /// document. Returns nil (and the unknown reference) when a placeholder names nothing.
    func substitute(_ value: JSONValue) -> Result<JSONValue, UnknownReference> {
        switch value {
        case .string(let s) where s.hasPrefix("@twin:") || s.hasPrefix("@rel:"):
            let isTwin = s.hasPrefix("@twin:")
            let reference = s.dropFirst(isTwin ? 6 : 5)
            var parts = reference.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let id = parts.removeFirst()
            guard var current = isTwin ? twins[id] : relationships[id] else {
                return .failure(UnknownReference(text: s))
            }
            for part in parts {
                guard let next = current[part] else { return .failure(UnknownReference(text: s)) }
                current = next
            }
            return .success(current)
        case .array(let items):
            var out: [JSONValue] = []
            for item in items {
                switch substitute(item) {
                case .success(let v): out.append(v)
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.array(out))
        case .object(let object):
            var out = JSONObject()
            for member in object {
                switch substitute(member.value) {
                case .success(let v): out[member.key] = v
                case .failure(let e): return .failure(e)
                }
            }
            return .success(.object(out))
        default:
            return .success(value)
        }
    }

    struct UnknownReference: Error {
        var text: String
    }
}
