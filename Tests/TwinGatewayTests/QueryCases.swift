import DTDL
import Foundation

/// The conformance table. Expected rows are written by hand from the fixture's property table
/// (see `QueryFixture`) and ADT's documented semantics.
enum QueryCases {
    // Twin sets.
    static let allTwins = [
        "bldg1", "bldg2", "floor1", "floor2", "floor3", "room101", "room102", "room201", "room202", "room203",
        "room301", "room302", "zone1", "zone2", "zone-empty", "quote-1", "area1-zone", "sensor-a1", "sensor-a2",
        "sensor-b1", "sensor-b2", "sensor-x-small", "area1-sensor-small", "hvac1", "hvac2", "pump1", "area1-hvac",
    ]
    static let spaces = Array(allTwins.prefix(17))
    static let rooms = ["room101", "room102", "room201", "room202", "room203", "room301", "room302"]
    static let floors = ["floor1", "floor2", "floor3"]
    static let sensors = ["sensor-a1", "sensor-a2", "sensor-b1", "sensor-b2", "sensor-x-small", "area1-sensor-small"]
    static let equipment = ["hvac1", "hvac2", "pump1", "area1-hvac"]
    static let allRelationships = [
        "b1-f1", "b1-f2", "b1-pump", "f1-r101", "f1-r102", "f2-r201", "f2-r202", "f2-r203", "r101-sa1", "r102-sa2",
        "r201-sb1", "r202-sb2", "f3-r301", "r301-r302", "r302-f3", "a1-s", "hvac1-r101", "hvac1-r102", "hvac2-r201",
    ]

    // Row helpers.
    static func t(_ ids: String...) -> [String] { ids.map { "@twin:\($0)" } }
    static func t(_ ids: [String]) -> [String] { ids.map { "@twin:\($0)" } }
    static func keyed(_ key: String, _ ids: [String]) -> [String] { ids.map { #"{"\#(key)":"@twin:\#($0)"}"# } }
    static func dtIds(_ ids: String...) -> [String] { ids.map { #"{"$dtId":"\#($0)"}"# } }
    static func rel(_ ids: String...) -> [String] { ids.map { "@rel:\($0)" } }
    static func count(_ n: Int) -> [String] { [#"{"COUNT":\#(n)}"#] }
    static func except(_ set: [String], _ removed: String...) -> [String] { set.filter { !removed.contains($0) } }

    // Case helpers.
    static func rows(_ category: String, _ query: String, _ rows: [String], _ note: String = "") -> QueryCase {
        QueryCase(category: category, query: query, expectation: .rows(rows), note: note)
    }
    /// `SELECT * FROM DIGITALTWINS T WHERE <condition>` returning the named twins.
    static func whereT(_ category: String, _ condition: String, _ ids: [String], _ note: String = "") -> QueryCase {
        rows(category, "SELECT * FROM DIGITALTWINS T WHERE \(condition)", t(ids), note)
    }
    static func error(_ category: String, _ query: String, _ code: String = "SqlQueryError", _ note: String = "")
        -> QueryCase
    {
        QueryCase(category: category, query: query, expectation: .error(code), note: note)
    }
    static func top(_ category: String, _ query: String, count: Int, allowed: [String]) -> QueryCase {
        QueryCase(category: category, query: query, expectation: .top(count: count, allowed: allowed))
    }
    static func subset(_ category: String, _ query: String, required: [String], optional: [String], _ note: String = "")
        -> QueryCase
    {
        QueryCase(
            category: category, query: query, expectation: .subset(required: required, optional: optional), note: note)
    }

    static var all: [QueryCase] {
        selectFrom + countAndTop + projections + comparisons + membership + negation + functions + isOfModel
            + keywordCase
            + joins + match + relationships + systemFields + errors + limits
    }

    // MARK: SELECT / FROM (QUERY.md §3, §4)

    static let selectFrom: [QueryCase] = [
        rows("select", "SELECT * FROM DIGITALTWINS", t(allTwins)),
        rows("select", "SELECT * FROM DIGITALTWINS T", t(allTwins)),
        rows("select", "SELECT T FROM DIGITALTWINS T", keyed("T", allTwins)),
        rows("select", "SELECT T FROM DIGITALTWINS T WHERE T.$dtId = 'bldg1'", keyed("T", ["bldg1"])),
        rows("select", "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'room101'", t("room101")),
        rows("select", "SELECT * FROM DIGITALTWINS WHERE $dtId = 'room101'", t("room101")),
        rows(
            "select", "SELECT * FROM DIGITALTWINS T WHERE $dtId = 'room101'", t("room101"),
            "docs mix alias and bare names"),
        rows(
            "select", "SELECT T, T.name FROM DIGITALTWINS T WHERE T.$dtId = 'floor1'",
            [#"{"T":"@twin:floor1","name":"Ground"}"#]),
        rows("select", "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'nobody'", []),
    ]

    // MARK: COUNT and TOP (§3)

    static let countAndTop: [QueryCase] = [
        rows("count", "SELECT COUNT() FROM DIGITALTWINS", count(27)),
        rows("count", "SELECT COUNT() FROM RELATIONSHIPS", count(19)),
        rows(
            "count", "SELECT COUNT() FROM DIGITALTWINS c WHERE IS_OF_MODEL('dtmi:ex:Room;1') AND c.capacity > 10",
            count(3)),
        rows("count", "SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Sensor;1')", count(6)),
        rows("count", "SELECT COUNT() FROM DIGITALTWINS T WHERE T.name = 'nobody'", count(0)),
        rows("count", "SELECT COUNT() FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains'", count(15)),
        rows("count", "SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Room;2')", count(4)),
        rows("count", "SELECT COUNT() FROM DIGITALTWINS T WHERE NOT IS_DEFINED(T.capacity)", count(15)),
        top("top", "SELECT TOP(5) FROM DIGITALTWINS", count: 5, allowed: t(allTwins)),
        top(
            "top", "SELECT TOP (2) FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Floor;1')", count: 2, allowed: t(floors)
        ),
        top(
            "top", "SELECT TOP(50) FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Equipment;1')", count: 4,
            allowed: t(equipment)),
        top(
            "top", "SELECT TOP(3) T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:ex:Sensor;1')", count: 3,
            allowed: sensors.map { #"{"$dtId":"\#($0)"}"# }),
        top(
            "top", "select top(1) from digitaltwins where startswith($dtId, 'area1-')", count: 1,
            allowed: t("area1-zone", "area1-sensor-small", "area1-hvac")),
        top("top", "SELECT TOP(3) FROM DIGITALTWINS T WHERE T.name = 'nobody'", count: 0, allowed: []),
        top(
            "top",
            "SELECT TOP(2) R FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains WHERE B.$dtId = 'bldg1'",
            count: 2, allowed: keyed("R", ["room101", "room102", "room201", "room202", "room203"])),
    ]

    // MARK: Projections (§3, SUMMARY §2.6)

    static let projections: [QueryCase] = [
        rows(
            "projection", "SELECT T.name, T.capacity FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:ex:Floor;1')",
            [#"{"name":"Ground","capacity":120}"#, #"{"name":"First","capacity":80}"#, #"{"name":"Loft"}"#]),
        rows(
            "projection", "SELECT name, capacity FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Floor;1')",
            [#"{"name":"Ground","capacity":120}"#, #"{"name":"First","capacity":80}"#, #"{"name":"Loft"}"#]),
        rows(
            "projection", "SELECT name, age FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Equipment;1')",
            [#"{"name":"HVAC 1"}"#, #"{"name":"HVAC 2"}"#, #"{"name":"Pump"}"#, "{}"],
            "SelectProjectPropertyNotPresentExample"),
        rows(
            "projection",
            "SELECT T.name AS n, T.address.city AS city FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:ex:Building;1')",
            [#"{"n":"HQ","city":"Seattle"}"#, #"{"n":"Annex","city":"Redmond"}"#]),
        rows(
            "projection", "SELECT T.address.zip FROM DIGITALTWINS T WHERE IS_DEFINED(T.address)",
            [#"{"zip":"98101"}"#, "{}", #"{"zip":"98102"}"#]),
        rows(
            "projection", "SELECT T.address FROM DIGITALTWINS T WHERE T.$dtId = 'bldg1'",
            [#"{"address":{"city":"Seattle","zip":"98101"}}"#]),
        rows(
            "projection", "SELECT T.thermostat.temperature FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:ex:Sensor;1')",
            [
                #"{"temperature":21.5}"#, #"{"temperature":25.5}"#, "{}", #"{"temperature":18.25}"#,
                #"{"temperature":30.5}"#, "{}",
            ]),
        rows(
            "projection", "SELECT T.thermostat AS t FROM DIGITALTWINS T WHERE T.$dtId = 'sensor-a1'",
            [#"{"t":"@twin:sensor-a1/thermostat"}"#]),
        rows(
            "projection", "SELECT T.tags.red FROM DIGITALTWINS T WHERE IS_DEFINED(T.tags)",
            [#"{"red":"yes"}"#, "{}", #"{"red":"no"}"#, "{}", "{}"]),
        rows(
            "projection", "SELECT T.tags FROM DIGITALTWINS T WHERE T.$dtId IN ['zone1', 'room101']",
            [#"{"tags":{}}"#, #"{"tags":{"red":"no"}}"#]),
        rows(
            "projection", "SELECT T.floorNumbers, T.keywords FROM DIGITALTWINS T WHERE T.$dtId IN ['bldg1', 'bldg2']",
            [#"{"floorNumbers":[1,2,3],"keywords":["wifi","parking"]}"#, #"{"floorNumbers":[],"keywords":["wifi"]}"#]),
        rows(
            "projection",
            "SELECT T.$dtId, T.$metadata.$model FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:ex:Room;2')",
            [
                #"{"$dtId":"room102","$model":"dtmi:ex:Room;2"}"#, #"{"$dtId":"room201","$model":"dtmi:ex:Room;2"}"#,
                #"{"$dtId":"room202","$model":"dtmi:ex:ConferenceRoom;1"}"#,
                #"{"$dtId":"room203","$model":"dtmi:ex:Boardroom;1"}"#,
            ]),
        rows("projection", "SELECT T.nothing FROM DIGITALTWINS T WHERE T.$dtId = 'bldg1'", ["{}"]),
        rows(
            "projection", "SELECT T.[[Group]] FROM DIGITALTWINS T WHERE IS_DEFINED(T.[[Group]])",
            [#"{"Group":"BravoTeam"}"#, #"{"Group":"AlphaTeam"}"#, #"{"Group":"D'Souza"}"#]),
        rows(
            "projection", "SELECT T.tags.[[1st]] AS first FROM DIGITALTWINS T WHERE T.$dtId = 'bldg1'",
            [#"{"first":"gold"}"#]),
        rows(
            "projection", "SELECT T.$dtId AS id, T.serial FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:ex:Equipment;1')",
            [
                #"{"id":"hvac1","serial":"HV-1"}"#, #"{"id":"hvac2","serial":"HV-2"}"#,
                #"{"id":"pump1","serial":"P-1"}"#,
                #"{"id":"area1-hvac","serial":"HV-3"}"#,
            ]),
        rows(
            "projection", "select T.name as label from digitaltwins T where T.$dtId = 'zone2'", [#"{"label":"zebra"}"#]),
        rows(
            "projection", "SELECT T.name FROM DIGITALTWINS T WHERE T.$dtId = 'quote-1'",
            [#"{"name":"O'Brien's \"Den\" \\ path"}"#]),
        rows(
            "projection", "SELECT T.$metadata.$model AS model FROM DIGITALTWINS T WHERE T.$dtId = 'zone-empty'",
            [#"{"model":"dtmi:ex:Space;1"}"#]),
        rows(
            "projection", "SELECT T.thermostat.mode, T.serial FROM DIGITALTWINS T WHERE ENDSWITH(T.$dtId, '-small')",
            [#"{"mode":"heat","serial":"X-9"}"#, #"{"serial":"A1"}"#]),
        rows(
            "projection",
            "SELECT T.name, T.roomType AS kind, T.seats FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:ex:ConferenceRoom;1')",
            [#"{"name":"Big Room","kind":"meeting","seats":16}"#, #"{"name":"Board","kind":"meeting","seats":10}"#]),
        rows(
            "projection", "SELECT T.tags.[[has space]] FROM DIGITALTWINS T WHERE T.$dtId = 'bldg1'",
            [#"{"has space":"x"}"#]),
        rows(
            "projection", "SELECT address.city FROM DIGITALTWINS WHERE IS_DEFINED(address)",
            [#"{"city":"Seattle"}"#, #"{"city":"Redmond"}"#, #"{"city":"Seattle"}"#], "unqualified nested path"),
    ]

    // MARK: Comparisons (§7, semantics of types and missing properties)

    static let comparisons: [QueryCase] = [
        rows(
            "comparison", "SELECT * FROM DIGITALTWINS DT WHERE DT.capacity = 50", t("room101"),
            "EqualityExample; the string \"50\" of sensor-a1 is another type"),
        rows("comparison", "SELECT * FROM DIGITALTWINS DT WHERE DT.capacity = '50'", t("sensor-a1")),
        rows(
            "comparison", "SELECT * FROM DIGITALTWINS DT WHERE DT.capacity < 10",
            t("room201", "room301", "zone1", "zone2"), "ComparisonExample"),
        rows(
            "comparison", "SELECT * FROM DIGITALTWINS DT WHERE NOT DT.capacity <= 80", t("bldg1", "floor1"),
            "OrderedComparisonExample: missing and string capacities stay out"),
        whereT(
            "comparison", "T.capacity != 50",
            ["bldg1", "floor1", "floor2", "room102", "room201", "room202", "room203", "room301", "zone1", "zone2"]),
        whereT(
            "comparison", "NOT T.capacity = 50",
            ["bldg1", "floor1", "floor2", "room102", "room201", "room202", "room203", "room301", "zone1", "zone2"]),
        whereT("comparison", "T.capacity >= 20 AND T.capacity <= 120", ["floor1", "floor2", "room101", "room202"]),
        rows(
            "comparison", "SELECT * FROM DIGITALTWINS DT WHERE DT.capacity < 10 OR DT.occupied = true",
            t("bldg1", "floor1", "room102", "room201", "room301", "zone1", "zone2"), "OrExample"),
        rows(
            "comparison", "SELECT * FROM DIGITALTWINS DT WHERE DT.capacity < 100 AND DT.occupied = true",
            t("room102", "room201"), "AndExample"),
        rows(
            "comparison", "SELECT * FROM DIGITALTWINS DT WHERE NOT DT.capacity < 80", t("bldg1", "floor1", "floor2"),
            "NotExample"),
        whereT(
            "comparison", "T.capacity > '10'", ["sensor-a1"],
            "string against string (\"50\" > \"10\"); numbers never match a string"),
        whereT("comparison", "T.capacity = 50.0", ["room101"], "integer and double are one JSON number type"),
        whereT("comparison", "T.occupied = true", ["bldg1", "floor1", "room102", "room201"]),
        whereT("comparison", "T.occupied != true", ["bldg2", "room101", "room202", "room301"]),
        whereT("comparison", "NOT T.occupied = true", ["bldg2", "room101", "room202", "room301"]),
        whereT("comparison", "T.occupied = 'true'", []),
        whereT("comparison", "T.occupied = 1", []),
        whereT("comparison", "T.level = 2.0", ["floor1"], "floor1 stores the integer 2 in a double property"),
        whereT("comparison", "T.level > 0", ["bldg1", "floor1", "floor2", "zone2"]),
        whereT("comparison", "T.level < -1", ["floor3"]),
        whereT("comparison", "T.level >= 2.5", ["bldg1", "floor2"]),
        whereT(
            "comparison", "T.name > 'Z'", ["room301", "zone1", "zone2"], "ordinal: lower case sorts after upper case"),
        whereT("comparison", "T.name < 'B'", ["bldg2", "area1-zone"]),
        whereT("comparison", "T.serial >= 'a'", ["sensor-b1"]),
        whereT("comparison", "T.$dtId > 'sensor-x'", ["sensor-x-small", "zone1", "zone2", "zone-empty"]),
        whereT(
            "comparison", "T.$dtId > 'zone' AND T.$dtId < 'zone1'", ["zone-empty"],
            "ordinal: '-' (U+002D) sorts before '1'"),
        whereT("comparison", #"CONTAINS(T.name, '\\')"#, ["quote-1"], "a backslash escaped in the literal"),
        whereT("comparison", "T.name = 'hq'", [], "values are case-sensitive"),
        whereT("comparison", "T.Name = 'HQ'", [], "property names are case-sensitive"),
        whereT("comparison", "T.$dtId = 'BLDG1'", [], "ids are case-sensitive"),
        whereT("comparison", "T.status = 1", ["hvac1"]),
        whereT("comparison", "T.status = true", ["sensor-a1", "sensor-b2"]),
        whereT("comparison", "T.status = 'open'", ["bldg1", "floor1", "room201", "zone1", "area1-zone"]),
        whereT(
            "comparison", "T.status != 'open'", ["bldg2", "floor2", "room302"],
            "only string statuses can differ from a string"),
        whereT("comparison", "NOT T.status = 'open'", ["bldg2", "floor2", "room302"]),
        whereT("comparison", "T.status != true", ["sensor-a2"]),
        whereT("comparison", "T.status > 1", ["hvac2", "area1-hvac"]),
        whereT("comparison", "NOT T.status > 1", ["hvac1"]),
        whereT("comparison", "T.status = null", [], "no property holds null"),
        whereT("comparison", "T.status != null", [], "a comparison between different JSON types never matches"),
        whereT(
            "comparison", "T.capacity = 2 OR T.capacity = 1 AND T.occupied = true", ["room201"],
            "AND binds tighter than OR"),
        whereT("comparison", "(T.capacity = 2 OR T.capacity = 1) AND T.occupied = false", ["room301"]),
        whereT(
            "comparison",
            "NOT (T.capacity > 10 OR T.occupied = true) AND IS_DEFINED(T.capacity) AND IS_DEFINED(T.occupied)",
            ["room301"]),
        whereT("comparison", "T.thermostat.temperature > 20", ["sensor-a1", "sensor-a2", "sensor-x-small"]),
        whereT("comparison", "T.thermostat.mode = 'heat'", ["sensor-a1", "sensor-x-small"]),
        whereT("comparison", "T.address.city = 'Seattle'", ["bldg1", "room101"]),
        whereT("comparison", "T.tags.red = 'yes'", ["bldg1"]),
        whereT("comparison", "T.tags.[[has space]] = 'x'", ["bldg1"]),
        whereT("comparison", "T.tags.[[1st]] = 'gold'", ["bldg1"], "map keys starting with a digit are escaped"),
        rows(
            "comparison", "SELECT * FROM DIGITALTWINS WHERE [[Group]] = 'BravoTeam'", t("bldg1"),
            "ReservedKeywordExample"),
        whereT("comparison", #"T.[[Group]] = 'D\'Souza'"#, ["quote-1"]),
        whereT("comparison", #"T.name = 'O\'Brien\'s "Den" \\ path'"#, ["quote-1"]),
        whereT("comparison", #"CONTAINS(T.name, '\'')"#, ["quote-1"]),
        whereT("comparison", "T.address = 'Seattle'", [], "an object is not a string"),
        whereT("comparison", "T.floorNumbers = 1", [], "an array is not a number"),
        whereT("comparison", "T.yearBuilt = 1999 AND T.tags.env = 'prod'", ["bldg1"]),
        whereT("comparison", "T.area > 20", ["room102", "room202"]),
        whereT("comparison", "T.seats >= 10", ["room202", "room203"]),
        rows(
            "comparison",
            "SELECT * FROM DigitalTwins T WHERE T.serial = 'HV-1' AND T.$dtId in ['hvac1', 'hvac2'] AND T.status = 1",
            t("hvac1"), "QUERY.md §11 first example"),
    ]

    // MARK: IN / NIN (§7)

    static let membership: [QueryCase] = [
        rows(
            "in", "SELECT * FROM DIGITALTWINS DT WHERE DT.name IN ['HQ', 'Annex', 'Nope']", t("bldg1", "bldg2"),
            "InExample"),
        whereT("in", "T.$dtId in ['room101', 'room102', 'missing']", ["room101", "room102"]),
        whereT(
            "in", "T.capacity IN [50, '12', 2]", ["room101", "room201"], "mixed list: only same-type items can match"),
        whereT(
            "in", "T.status IN [1, 'closed', true]", ["hvac1", "bldg2", "floor2", "room302", "sensor-a1", "sensor-b2"]),
        whereT(
            "in", "T.roomType NIN ['lobby', 'kitchen']", ["room201", "room202", "room203", "room301"],
            "room302 has no roomType"),
        whereT("in", "NOT T.roomType IN ['lobby', 'kitchen']", ["room201", "room202", "room203", "room301"]),
        whereT(
            "in", "T.capacity NIN [0, 1, 2, 7, 10, 12, 20]", ["bldg1", "floor1", "floor2", "room101"],
            "sensor-a1's string \"50\" is another type: never matches"),
        whereT("in", "T.status NIN [1, 2]", ["area1-hvac"], "string and boolean statuses are other types"),
        whereT("in", "T.level IN [2.0, 10.5]", ["floor1", "bldg1"]),
        whereT("in", "T.occupied IN [false]", ["bldg2", "room101", "room202", "room301"]),
        whereT("in", "T.$dtId IN ['bldg1', 1, true]", ["bldg1"]),
        whereT("in", "T.capacity IN [50.0]", ["room101"]),
        whereT("in", "T.thermostat.mode IN ['heat', 'off']", ["sensor-a1", "sensor-x-small", "sensor-b2"]),
        whereT("in", "T.name IN ['HQ'] AND T.$dtId NIN ['bldg2']", ["bldg1"]),
        // NIN next to the equivalent forms: all must agree (a value of another type is never "not in" a list).
        whereT("in", "T.status NIN [1]", ["hvac2", "area1-hvac"], "same rows as T.status != 1"),
        whereT("in", "T.status != 1", ["hvac2", "area1-hvac"]),
        whereT("in", "NOT T.status IN [1, 2]", ["area1-hvac"], "same rows as T.status NIN [1, 2]"),
        whereT("in", "NOT (T.status = 1 OR T.status = 2)", ["area1-hvac"], "De Morgan form of T.status NIN [1, 2]"),
        whereT("in", "NOT T.capacity IN [0, 1, 2, 7, 10, 12, 20]", ["bldg1", "floor1", "floor2", "room101"]),
    ]

    // MARK: NOT over compound conditions (three-valued: a comparison on a missing property or
    // across types is undefined, and stays undefined under NOT)

    static let negation: [QueryCase] = [
        whereT("not", "NOT (T.capacity = 50 OR T.occupied = true)", ["room202", "room301"]),
        whereT(
            "not", "NOT (T.capacity > 10 AND T.occupied = true)",
            ["bldg2", "room101", "room201", "room202", "room203", "room301", "zone1", "zone2"],
            "false AND undefined is false, so room203 (no occupied) and bldg2 (no capacity) qualify"),
        whereT("not", "NOT NOT T.occupied = true", ["bldg1", "floor1", "room102", "room201"]),
        whereT("not", "NOT (NOT T.capacity = 50)", ["room101"]),
        whereT(
            "not", "NOT IS_DEFINED(T.capacity) OR T.capacity = 0",
            [
                "bldg2", "floor3", "room302", "zone-empty", "quote-1", "area1-zone", "sensor-a2", "sensor-b1",
                "sensor-b2",
                "sensor-x-small", "area1-sensor-small", "hvac1", "hvac2", "pump1", "area1-hvac", "zone1",
            ]),
        whereT("not", "NOT (T.level > 1 OR T.level < -1)", ["zone2"]),
    ]

    // MARK: Functions (§8)

    static let functions: [QueryCase] = [
        rows(
            "function", "SELECT * FROM DIGITALTWINS WHERE IS_DEFINED(address)", t("bldg1", "bldg2", "room101"),
            "IsDefinedExample"),
        whereT(
            "function", "NOT IS_DEFINED(T.capacity)",
            [
                "bldg2", "floor3", "room302", "zone-empty", "quote-1", "area1-zone", "sensor-a2", "sensor-b1",
                "sensor-b2",
                "sensor-x-small", "area1-sensor-small", "hvac1", "hvac2", "pump1", "area1-hvac",
            ]),
        whereT("function", "IS_DEFINED(T.tags.red)", ["bldg1", "room101"]),
        rows(
            "function", "SELECT * FROM DIGITALTWINS WHERE IS_OBJECT( tags ) AND NOT IS_DEFINED ( tags.red )",
            t("bldg2", "room102", "zone1"), "IsObjectExample"),
        whereT(
            "function", "IS_NUMBER(T.capacity)",
            [
                "bldg1", "floor1", "floor2", "room101", "room102", "room201", "room202", "room203", "room301", "zone1",
                "zone2",
            ]),
        rows(
            "function", "SELECT * FROM DIGITALTWINS WHERE IS_NUMBER( capacity ) AND capacity != 0",
            t("bldg1", "floor1", "floor2", "room101", "room102", "room201", "room202", "room203", "room301", "zone2"),
            "IsNumberExample"),
        whereT("function", "IS_STRING(T.capacity)", ["sensor-a1"]),
        whereT("function", "IS_BOOL(T.status)", ["sensor-a1", "sensor-a2", "sensor-b2"]),
        rows(
            "function", "SELECT * FROM DIGITALTWINS T WHERE IS_BOOL( occupied ) AND occupied != false",
            t("bldg1", "floor1", "room102", "room201"), "IsBoolNotFalseExample"),
        rows(
            "function", "SELECT * FROM DIGITALTWINS WHERE IS_STRING( status ) AND status != 'closed'",
            t("bldg1", "floor1", "room201", "zone1", "area1-zone"), "IsStringExample"),
        whereT("function", "IS_NULL(T.name)", []),
        whereT("function", "NOT IS_NULL(T.name)", allTwins, "IS_NULL of a missing property is false"),
        rows(
            "function", "SELECT * FROM DIGITALTWINS T WHERE NOT IS_NULL(T.capacity) AND T.capacity > 100",
            t("bldg1", "floor1"), "IsNullExample"),
        whereT(
            "function", "IS_PRIMITIVE(T.status)",
            [
                "bldg1", "bldg2", "floor1", "floor2", "room201", "room302", "zone1", "area1-zone", "sensor-a1",
                "sensor-a2",
                "sensor-b2", "hvac1", "hvac2", "area1-hvac",
            ]),
        whereT("function", "IS_PRIMITIVE(T.address)", []),
        whereT("function", "NOT IS_PRIMITIVE(T.address)", allTwins),
        whereT("function", "IS_PRIMITIVE(T.name) AND STARTSWITH(T.name, 'B')", ["room202", "room203", "sensor-b2"]),
        whereT("function", "IS_OBJECT(T.thermostat)", sensors, "components are objects"),
        whereT("function", "IS_DEFINED(T.thermostat)", sensors),
        whereT("function", "IS_OBJECT(T.floorNumbers)", [], "an array is not an object"),
        whereT("function", "IS_OBJECT(T.address) AND IS_DEFINED(T.address.zip)", ["bldg1", "room101"]),
        rows(
            "function", "SELECT B.name FROM DIGITALTWINS B WHERE B.$dtId = 'bldg1' AND IS_PRIMITIVE(B.name)",
            [#"{"name":"HQ"}"#],
            "IsPrimitiveExample"),
        rows(
            "function",
            "SELECT Factory.address FROM DIGITALTWINS Factory WHERE Factory.$dtId = 'bldg1' AND IS_PRIMITIVE(Factory.address)",
            []),
        rows(
            "function", "SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'area1-')",
            t("area1-zone", "area1-sensor-small", "area1-hvac"), "StartsWithExample"),
        rows(
            "function", "SELECT * FROM DIGITALTWINS T WHERE ENDSWITH(T.$dtId, '-small')",
            t("sensor-x-small", "area1-sensor-small"), "EndsWithExample"),
        rows(
            "function", "SELECT * FROM DIGITALTWINS T WHERE CONTAINS(T.$dtId, '-b')", t("sensor-b1", "sensor-b2"),
            "ContainsExample"),
        whereT("function", "STARTSWITH(T.name, 'HVAC')", ["hvac1", "hvac2"]),
        whereT("function", "CONTAINS(T.name, 'room')", [], "case-sensitive"),
        whereT("function", "CONTAINS(T.name, 'Room')", ["room202"]),
        whereT("function", "STARTSWITH(T.capacity, '5')", ["sensor-a1"], "only the string capacity can match"),
        whereT("function", "ENDSWITH(T.level, '5')", [], "numbers are not strings"),
        whereT("function", "STARTSWITH(T.nothing, '')", [], "a missing property never matches"),
        whereT(
            "function", "STARTSWITH(T.serial, '')",
            [
                "sensor-a1", "sensor-a2", "sensor-b1", "sensor-x-small", "area1-sensor-small", "hvac1", "hvac2",
                "pump1", "area1-hvac",
            ]),
        whereT(
            "function", "IS_DEFINED(T.name) AND NOT STARTSWITH(T.name, 'H')",
            [
                "bldg2", "floor1", "floor2", "floor3", "room101", "room102", "room201", "room202", "room203", "room301",
                "room302",
                "zone1", "zone2", "quote-1", "area1-zone", "sensor-b2", "pump1",
            ]),
        whereT("function", "ENDSWITH(T.thermostat.mode, 'at')", ["sensor-a1", "sensor-x-small"]),
        whereT("function", "ARRAY_CONTAINS(T.floorNumbers, 2)", ["bldg1", "floor2"]),
        whereT("function", "ARRAY_CONTAINS(T.floorNumbers, 20)", ["floor2"]),
        whereT("function", "ARRAY_CONTAINS(T.keywords, 'wifi')", ["bldg1", "bldg2", "room102"]),
        whereT("function", "ARRAY_CONTAINS(T.floorNumbers, '2')", [], "a string is not an integer element"),
        whereT("function", "ARRAY_CONTAINS(T.name, 'HQ')", [], "not an array"),
        whereT(
            "function", "IS_DEFINED(T.floorNumbers) AND NOT ARRAY_CONTAINS(T.floorNumbers, 1)",
            ["bldg2", "floor2", "floor3"]),
        whereT("function", "startswith(T.$dtId, 'floor')", floors, "function names are keywords: any case"),
        whereT("function", "IS_DEFINED(T.thermostat.targetTemperature)", ["sensor-a1", "sensor-b2"]),
        whereT("function", "IS_NUMBER(T.level)", ["bldg1", "floor1", "floor2", "floor3", "zone2"]),
        whereT(
            "function", "IS_NUMBER(T.thermostat.temperature) AND NOT IS_DEFINED(T.thermostat.targetTemperature)",
            ["sensor-a2", "sensor-x-small"]),
    ]

    // MARK: IS_OF_MODEL (§8: four forms, inheritance, version rule, exact)

    static let isOfModel: [QueryCase] = [
        rows(
            "is_of_model", "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Room;1')", t(rooms),
            "Room;1, its later version Room;2, and models extending either at any depth"),
        whereT("is_of_model", "IS_OF_MODEL(T, 'dtmi:ex:Room;2')", ["room102", "room201", "room202", "room203"]),
        rows(
            "is_of_model", "SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:ex:Room;1', exact)",
            t("room101", "room302")),
        whereT("is_of_model", "IS_OF_MODEL(T, 'dtmi:ex:Room;2', exact)", ["room102", "room201"]),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:ConferenceRoom;1')", ["room202", "room203"]),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:Space;1')", spaces),
        whereT(
            "is_of_model", "IS_OF_MODEL('dtmi:ex:Space;1', exact)",
            ["zone1", "zone2", "zone-empty", "quote-1", "area1-zone"]),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:Space;2')", [], "no twin's model is Space;2 or later"),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:room;1')", [], "model ids are case-sensitive"),
        whereT("is_of_model", "NOT IS_OF_MODEL('dtmi:ex:Space;1')", sensors + equipment),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:Office;1')", ["room301"]),
        whereT(
            "is_of_model", "IS_OF_MODEL('dtmi:ex:Thermostat;1')", [], "a component's interface is not the twin's model"),
        whereT("is_of_model", "is_of_model(T, 'dtmi:ex:Room;2', EXACT)", ["room102", "room201"]),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:Nope;1')", []),
        whereT(
            "is_of_model", "IS_OF_MODEL('dtmi:ex:Room;1') AND NOT IS_OF_MODEL('dtmi:ex:Room;2')",
            ["room101", "room301", "room302"],
            "Office;1 extends Room;1 only, not Room;2"),
        whereT(
            "is_of_model", "IS_OF_MODEL('dtmi:ex:Building;1') OR IS_OF_MODEL('dtmi:ex:Equipment;1')",
            ["bldg1", "bldg2", "hvac1", "hvac2", "pump1", "area1-hvac"]),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:Boardroom;1', exact)", ["room203"]),
        whereT("is_of_model", "IS_OF_MODEL('dtmi:ex:ConferenceRoom;1', exact)", ["room202"]),
        rows(
            "is_of_model",
            "SELECT DT.$dtId FROM DIGITALTWINS DT WHERE IS_OF_MODEL(DT, 'dtmi:ex:Room;1') AND DT.capacity > 10",
            dtIds("room101", "room102", "room202")),
        whereT(
            "is_of_model", "IS_OF_MODEL('dtmi:ex:Room;1', exact) AND IS_OF_MODEL('dtmi:ex:Space;1')",
            ["room101", "room302"]),
        rows(
            "is_of_model", "SELECT * FROM DIGITALTWINS DT WHERE IS_OF_MODEL(DT, 'dtmi:ex:Floor;1', exact)", t(floors),
            "IsOfModelExample shape"),
    ]

    // MARK: Keywords in any case (§2)

    static let keywordCase: [QueryCase] = [
        rows("keywords", "select * from digitaltwins where $dtId = 'zone2'", t("zone2")),
        rows("keywords", "SeLeCt CoUnT() FrOm DiGiTaLtWiNs t WhErE t.capacity > 100 aNd t.occupied = TRUE", count(2)),
        rows(
            "keywords", "select * from DigitalTwins T where T.name in ['HQ'] or not T.capacity != 0",
            t("bldg1", "zone1")),
        rows(
            "keywords", "select T.$dtId from digitaltwins T where T.roomType nin ['office'] and T.capacity > 10",
            dtIds("room101", "room102", "room202")),
        rows(
            "keywords", "select t, ct from digitaltwins t join ct related t.contains where t.$dtId = 'floor1'",
            [#"{"t":"@twin:floor1","ct":"@twin:room101"}"#, #"{"t":"@twin:floor1","ct":"@twin:room102"}"#]),
        rows(
            "keywords",
            "select floor, room from digitaltwins match (floor)-[:contains]->(room) where floor.$dtId = 'floor1'",
            [#"{"floor":"@twin:floor1","room":"@twin:room101"}"#, #"{"floor":"@twin:floor1","room":"@twin:room102"}"#]),
        whereT("keywords", "T.occupied = False", ["bldg2", "room101", "room202", "room301"]),
        whereT("keywords", "is_defined(T.owner) AND is_string(T.owner)", ["room301"]),
        rows("keywords", "select count() from relationships r where r.$relationshipName = 'isServicedBy'", count(3)),
        whereT("keywords", "T.status = NULL", []),
    ]

    // MARK: JOIN (§5)

    static let joins: [QueryCase] = [
        rows(
            "join", "SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'bldg1'",
            [#"{"T":"@twin:bldg1","CT":"@twin:floor1"}"#, #"{"T":"@twin:bldg1","CT":"@twin:floor2"}"#], "JoinExample"),
        rows(
            "join",
            "SELECT Building, Floor FROM DIGITALTWINS Building JOIN Floor RELATED Building.contains WHERE Building.$dtId = 'bldg2'",
            [], "NoOuterJoinExample: a building without floors gives no row"),
        rows(
            "join",
            "SELECT LightBulb FROM DIGITALTWINS Room JOIN LightPanel RELATED Room.contains JOIN LightBulb RELATED LightPanel.contains WHERE Room.$dtId IN ['floor1', 'floor2']",
            keyed("LightBulb", ["sensor-a1", "sensor-a2", "sensor-b1", "sensor-b2"]), "MultiJoinExample"),
        rows(
            "join",
            "SELECT R FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains WHERE B.$dtId = 'bldg1'",
            keyed("R", ["room101", "room102", "room201", "room202", "room203"])),
        rows(
            "join",
            "SELECT S FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains JOIN S RELATED R.contains WHERE B.$dtId = 'bldg1'",
            keyed("S", ["sensor-a1", "sensor-a2", "sensor-b1", "sensor-b2"])),
        rows(
            "join",
            "SELECT R.name, S.$dtId FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains JOIN S RELATED R.contains WHERE B.$dtId = 'bldg1' AND R.capacity > 15",
            [#"{"name":"Lobby","$dtId":"sensor-a1"}"#, #"{"name":"Big Room","$dtId":"sensor-b2"}"#]),
        rows(
            "join",
            "SELECT F, Rel FROM DIGITALTWINS B JOIN F RELATED B.contains Rel WHERE B.$dtId = 'bldg1' AND Rel.weight > 1",
            [#"{"F":"@twin:floor2","Rel":"@rel:b1-f2"}"#]),
        rows(
            "join",
            "SELECT F.name, Rel.since FROM DIGITALTWINS B JOIN F RELATED B.contains Rel WHERE B.$dtId = 'bldg1'",
            [#"{"name":"Ground","since":"@rel:b1-f1/since"}"#, #"{"name":"First","since":"@rel:b1-f2/since"}"#],
            "SelectProjectPropertyExample"),
        rows(
            "join",
            "SELECT Consumer.name AS consumerName, Edge.note AS first, Factory FROM DIGITALTWINS Factory JOIN Consumer RELATED Factory.contains Edge WHERE Factory.$dtId = 'floor1'",
            [
                #"{"consumerName":"Lobby","Factory":"@twin:floor1"}"#,
                #"{"consumerName":"Kitchen","first":"main","Factory":"@twin:floor1"}"#,
            ]),
        rows(
            "join",
            "SELECT Consumer, Factory, Edge FROM DIGITALTWINS Factory JOIN Consumer RELATED Factory.contains Edge WHERE Factory.$dtId = 'floor2'",
            [
                #"{"Consumer":"@twin:room201","Factory":"@twin:floor2","Edge":"@rel:f2-r201"}"#,
                #"{"Consumer":"@twin:room202","Factory":"@twin:floor2","Edge":"@rel:f2-r202"}"#,
                #"{"Consumer":"@twin:room203","Factory":"@twin:floor2","Edge":"@rel:f2-r203"}"#,
            ], "SelectProjectJoinExample"),
        rows(
            "join", "SELECT B FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE F.$dtId = 'floor2'",
            keyed("B", ["bldg1"]),
            "anchor on the target collection"),
        rows(
            "join",
            "SELECT R FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE F.$dtId = 'floor2' AND IS_OF_MODEL(R, 'dtmi:ex:ConferenceRoom;1')",
            keyed("R", ["room202", "room203"])),
        rows(
            "join",
            "SELECT R FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE F.$dtId = 'floor2' AND IS_OF_MODEL(R, 'dtmi:ex:Room;2', exact)",
            keyed("R", ["room201"])),
        rows(
            "join",
            "SELECT LightBulb FROM DIGITALTWINS Room JOIN LightPanel RELATED Room.contains JOIN LightBulb RELATED LightPanel.contains WHERE IS_OF_MODEL(LightPanel, 'dtmi:ex:Room;2') AND IS_OF_MODEL(LightBulb, 'dtmi:ex:Sensor;1') AND Room.$dtId IN ['floor1', 'floor2']",
            keyed("LightBulb", ["sensor-a2", "sensor-b1", "sensor-b2"]), "QUERY.md §11 JOIN with IS_OF_MODEL"),
        rows(
            "join", "SELECT E, R FROM DIGITALTWINS E JOIN R RELATED E.isServicedBy WHERE E.$dtId = 'hvac1'",
            [#"{"E":"@twin:hvac1","R":"@twin:room101"}"#, #"{"E":"@twin:hvac1","R":"@twin:room102"}"#]),
        rows(
            "join", "SELECT E FROM DIGITALTWINS E JOIN R RELATED E.isServicedBy WHERE R.$dtId = 'room201'",
            keyed("E", ["hvac2"])),
        rows(
            "join",
            "SELECT R.$dtId, S.priority FROM DIGITALTWINS E JOIN R RELATED E.isServicedBy S WHERE E.$dtId IN ['hvac1', 'hvac2'] AND S.priority = 1",
            [#"{"$dtId":"room101","priority":1}"#, #"{"$dtId":"room201","priority":1}"#]),
        rows(
            "join",
            "SELECT COUNT() FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains WHERE B.$dtId = 'bldg1'",
            count(5)),
        rows(
            "join",
            "SELECT COUNT() FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE F.$dtId = 'floor2' AND R.capacity >= 10",
            count(2)),
        rows("join", "SELECT COUNT() FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE B.$dtId = 'bldg2'", count(0)),
        rows(
            "join", "SELECT F FROM DIGITALTWINS B JOIN F RELATED B.Contains WHERE B.$dtId = 'bldg1'", [],
            "relationship names are case-sensitive"),
        rows("join", "SELECT F FROM DIGITALTWINS B JOIN F RELATED B.owns WHERE B.$dtId = 'bldg1'", []),
        rows(
            "join", "SELECT Rel FROM DIGITALTWINS B JOIN F RELATED B.contains Rel WHERE B.$dtId = 'bldg1'",
            [#"{"Rel":"@rel:b1-f1"}"#, #"{"Rel":"@rel:b1-f2"}"#]),
        rows(
            "join",
            "SELECT Rel.$relationshipId, Rel.$targetId FROM DIGITALTWINS B JOIN F RELATED B.contains Rel WHERE B.$dtId = 'floor1'",
            [
                #"{"$relationshipId":"f1-r101","$targetId":"room101"}"#,
                #"{"$relationshipId":"f1-r102","$targetId":"room102"}"#,
            ]),
        rows(
            "join",
            "SELECT D.$dtId FROM DIGITALTWINS A JOIN B RELATED A.contains JOIN C RELATED B.contains JOIN D RELATED C.contains WHERE A.$dtId = 'floor3'",
            [#"{"$dtId":"floor3"}"#], "a JOIN chain may come back round the cycle"),
        rows(
            "join",
            "SELECT LightBulb FROM DIGITALTWINS Building JOIN Floor RELATED Building.contains JOIN Room RELATED Floor.contains JOIN LightPanel RELATED Room.contains JOIN LightBulbRow RELATED LightPanel.contains JOIN LightBulb RELATED LightBulbRow.contains WHERE Building.$dtId = 'floor3'",
            keyed("LightBulb", ["room302"]), "MaxJoinExample: 5 JOINs are allowed"),
        rows(
            "join",
            "SELECT LightBulb FROM DIGITALTWINS Building JOIN Floor RELATED Building.contains JOIN Room RELATED Floor.contains JOIN LightPanel RELATED Room.contains JOIN LightBulbRow RELATED LightPanel.contains JOIN LightBulb RELATED LightBulbRow.contains WHERE Building.$dtId = 'bldg1'",
            []),
        rows(
            "join",
            "SELECT F.$dtId FROM DIGITALTWINS B JOIN F RELATED B.contains Rel WHERE B.$dtId = 'bldg1' AND Rel.since < '2021-01-01'",
            dtIds("floor1")),
        rows(
            "join", "SELECT Rel.note FROM DIGITALTWINS B JOIN F RELATED B.contains Rel WHERE B.$dtId = 'bldg1'",
            ["{}", #"{"note":"new wing"}"#]),
        rows(
            "join",
            "SELECT CT.$dtId FROM DIGITALTWINS T JOIN CT RELATED T.isAssociatedWith WHERE T.$dtId = 'bldg1' AND IS_OF_MODEL(CT, 'dtmi:ex:Equipment;1')",
            dtIds("pump1")),
        rows(
            "join",
            "SELECT F.$dtId AS floor, R.$dtId AS room FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE R.$dtId IN ['room101', 'room203']",
            [#"{"floor":"floor1","room":"room101"}"#, #"{"floor":"floor2","room":"room203"}"#]),
        rows(
            "join",
            "SELECT B.name AS building, F.name AS floor FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE B.$dtId = 'bldg1' AND NOT F.capacity > 100",
            [#"{"building":"HQ","floor":"First"}"#]),
        error(
            "join",
            "SELECT G FROM DIGITALTWINS A JOIN B RELATED A.contains JOIN C RELATED B.contains JOIN D RELATED C.contains JOIN E RELATED D.contains JOIN F RELATED E.contains JOIN G RELATED F.contains WHERE A.$dtId = 'floor3'",
            "SqlQueryError", "6 JOINs: over the limit of 5"),
        error(
            "join", "SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains", "SqlQueryError",
            "JOIN needs a $dtId filter"),
        error("join", "SELECT T, CT FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.capacity > 10"),
        error(
            "join", "SELECT * FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'bldg1'", "SqlQueryError",
            "SELECT * is invalid with JOIN"),
        error(
            "join", "SELECT R FROM RELATIONSHIPS R JOIN T RELATED R.contains WHERE R.$sourceId = 'bldg1'",
            "SqlQueryError",
            "FROM RELATIONSHIPS cannot be combined with JOIN"),
        error(
            "join", "SELECT X FROM DIGITALTWINS T JOIN CT RELATED T.contains WHERE T.$dtId = 'bldg1'", "SqlQueryError",
            "unknown collection"),
    ]

    // MARK: MATCH (§6)

    static let match: [QueryCase] = [
        rows(
            "match",
            "SELECT building, sensor FROM DIGITALTWINS MATCH (building)-[]->(sensor) WHERE building.$dtId = 'floor1' AND sensor.capacity > 20",
            [#"{"building":"@twin:floor1","sensor":"@twin:room101"}"#], "MatchExample"),
        rows(
            "match",
            "SELECT room, factory FROM DIGITALTWINS MATCH (room)-[]->(factory) WHERE room.capacity > 40 AND factory.$dtId = 'room101'",
            [#"{"room":"@twin:floor1","factory":"@twin:room101"}"#],
            "MatchDirectionLRExample (anchor on the right node)"),
        rows(
            "match",
            "SELECT room, factory FROM DIGITALTWINS MATCH (room)<-[]-(factory) WHERE factory.$dtId = 'floor2' AND room.capacity > 5",
            [
                #"{"room":"@twin:room202","factory":"@twin:floor2"}"#,
                #"{"room":"@twin:room203","factory":"@twin:floor2"}"#,
            ],
            "MatchDirectionRLExample"),
        rows(
            "match", "SELECT factory, room FROM DIGITALTWINS MATCH (factory)-[]-(room) WHERE factory.$dtId = 'room101'",
            [
                #"{"factory":"@twin:room101","room":"@twin:floor1"}"#,
                #"{"factory":"@twin:room101","room":"@twin:sensor-a1"}"#,
                #"{"factory":"@twin:room101","room":"@twin:hvac1"}"#,
            ], "MatchDirectionNDExample"),
        rows(
            "match",
            "SELECT building, sensor FROM DIGITALTWINS MATCH (building)-[:contains]-(sensor) WHERE building.$dtId = 'floor1'",
            [
                #"{"building":"@twin:floor1","sensor":"@twin:bldg1"}"#,
                #"{"building":"@twin:floor1","sensor":"@twin:room101"}"#,
                #"{"building":"@twin:floor1","sensor":"@twin:room102"}"#,
            ], "MatchNameSingleExample"),
        rows(
            "match", "SELECT x FROM DIGITALTWINS MATCH (b)-[:contains|isAssociatedWith]->(x) WHERE b.$dtId = 'bldg1'",
            keyed("x", ["floor1", "floor2", "pump1"]), "MatchNameMultiExample"),
        rows(
            "match", "SELECT x FROM DIGITALTWINS MATCH (b)-[:isAssociatedWith]->(x) WHERE b.$dtId = 'bldg1'",
            keyed("x", ["pump1"])),
        rows(
            "match", "SELECT * FROM DIGITALTWINS MATCH (floor)-[*2]->(room) WHERE floor.$dtId = 'bldg1'",
            ["room101", "room102", "room201", "room202", "room203"].map {
                #"{"floor":"@twin:bldg1","room":"@twin:\#($0)"}"#
            },
            "MatchHopsExactExample: SELECT * keys every node variable"),
        rows(
            "match", "SELECT room FROM DIGITALTWINS MATCH (floor)-[*1..3]->(room) WHERE floor.$dtId = 'bldg1'",
            keyed(
                "room",
                [
                    "room101", "room102", "room201", "room202", "room203", "sensor-a1", "sensor-a2", "sensor-b1",
                    "sensor-b2",
                ]),
            "MatchHopsRangeExample1: *1..3 is 2 or 3 hops (exclusive lower bound)"),
        rows(
            "match", "SELECT room FROM DIGITALTWINS MATCH (floor)-[*..2]->(room) WHERE floor.$dtId = 'bldg1'",
            keyed("room", ["floor1", "floor2", "pump1", "room101", "room102", "room201", "room202", "room203"]),
            "MatchHopsRangeEndingExample: 1 or 2 hops"),
        rows(
            "match", "SELECT room FROM DIGITALTWINS MATCH (floor)-[]->(room) WHERE floor.$dtId = 'bldg1'",
            keyed("room", ["floor1", "floor2", "pump1"]), "MatchHopsOneExample"),
        rows(
            "match", "SELECT room FROM DIGITALTWINS MATCH (floor)-[*3]->(room) WHERE floor.$dtId = 'bldg1'",
            keyed("room", ["sensor-a1", "sensor-a2", "sensor-b1", "sensor-b2"])),
        rows(
            "match", "SELECT x FROM DIGITALTWINS MATCH (b)-[:contains*1..2]->(x) WHERE b.$dtId = 'bldg1'",
            keyed("x", ["room101", "room102", "room201", "room202", "room203"]), "*1..2 is exactly 2 hops"),
        rows("match", "SELECT x FROM DIGITALTWINS MATCH (b)-[:contains*4]->(x) WHERE b.$dtId = 'bldg1'", []),
        rows(
            "match", "SELECT b FROM DIGITALTWINS MATCH (s)<-[:contains*3]-(b) WHERE s.$dtId = 'sensor-a1'",
            keyed("b", ["bldg1"])),
        rows(
            "match", "SELECT x FROM DIGITALTWINS MATCH (s)<-[*..3]-(x) WHERE s.$dtId = 'sensor-a1'",
            keyed("x", ["room101", "floor1", "hvac1", "bldg1"])),
        rows(
            "match",
            "SELECT b, f, r FROM DIGITALTWINS MATCH (b)-[:contains]->(f)-[:contains]->(r) WHERE b.$dtId = 'bldg1'",
            [
                ("floor1", "room101"), ("floor1", "room102"), ("floor2", "room201"), ("floor2", "room202"),
                ("floor2", "room203"),
            ].map {
                #"{"b":"@twin:bldg1","f":"@twin:\#($0.0)","r":"@twin:\#($0.1)"}"#
            }, "MatchChainSyntax"),
        rows(
            "match",
            "SELECT room, e FROM DIGITALTWINS MATCH (f)-[:contains]->(room)<-[:isServicedBy]-(e) WHERE f.$dtId = 'floor1'",
            [#"{"room":"@twin:room101","e":"@twin:hvac1"}"#, #"{"room":"@twin:room102","e":"@twin:hvac1"}"#]),
        rows(
            "match",
            "SELECT f, room, r FROM DIGITALTWINS MATCH (f)-[r:contains]->(room) WHERE f.$dtId = 'floor2' AND r.weight > 2",
            [#"{"f":"@twin:floor2","room":"@twin:room202","r":"@rel:f2-r202"}"#], "MatchCombinedVariableExample"),
        rows(
            "match",
            "SELECT r.$relationshipName, x.$dtId FROM DIGITALTWINS MATCH (a)-[r]-(x) WHERE a.$dtId = 'room101'",
            [
                #"{"$relationshipName":"contains","$dtId":"floor1"}"#,
                #"{"$relationshipName":"contains","$dtId":"sensor-a1"}"#,
                #"{"$relationshipName":"isServicedBy","$dtId":"hvac1"}"#,
            ], "MatchVariableExample"),
        rows(
            "match", "SELECT * FROM DIGITALTWINS MATCH (f)-[r:contains]->(room) WHERE f.$dtId = 'floor1'",
            [
                #"{"f":"@twin:floor1","room":"@twin:room101","r":"@rel:f1-r101"}"#,
                #"{"f":"@twin:floor1","room":"@twin:room102","r":"@rel:f1-r102"}"#,
            ], "SELECT * keys node and edge variables"),
        rows(
            "match", "SELECT * FROM DIGITALTWINS MATCH (twin_1) WHERE twin_1.$dtId = 'zone2'",
            keyed("twin_1", ["zone2"]), "MatchNodeSyntax"),
        rows(
            "match", "SELECT twin_1 FROM DIGITALTWINS MATCH (twin_1) WHERE twin_1.$dtId = 'zone2'",
            keyed("twin_1", ["zone2"])),
        subset(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[:contains*..10]->(b) WHERE a.$dtId = 'floor3'",
            required: keyed("b", ["room301", "room302"]), optional: keyed("b", ["floor3"]),
            "cycle floor3→room301→room302→floor3: no edge twice; the start twin may or may not come back"),
        rows(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[:contains*4]->(b) WHERE a.$dtId = 'floor3'", [],
            "4 hops round a 3-cycle would traverse an edge twice"),
        subset(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[:contains*3]->(b) WHERE a.$dtId = 'floor3'",
            required: [], optional: keyed("b", ["floor3"])),
        rows(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[:contains*2]->(b) WHERE a.$dtId = 'room301'",
            keyed("b", ["floor3"])),
        rows(
            "match",
            "SELECT r FROM DIGITALTWINS MATCH (f)-[:contains]->(r) WHERE f.$dtId = 'floor2' AND IS_OF_MODEL(r, 'dtmi:ex:Room;2', exact)",
            keyed("r", ["room201"])),
        rows(
            "match",
            "SELECT f.$dtId AS floor, r.$dtId AS room FROM DIGITALTWINS MATCH (f)-[:contains]->(r) WHERE f.$dtId IN ['floor1', 'floor3']",
            [
                #"{"floor":"floor1","room":"room101"}"#, #"{"floor":"floor1","room":"room102"}"#,
                #"{"floor":"floor3","room":"room301"}"#,
            ]),
        rows(
            "match",
            "SELECT floor, room FROM DIGITALTWINS MATCH (floor)-[:contains|isAssociatedWith*2..3]->(room) WHERE floor.$dtId = 'bldg1'",
            ["sensor-a1", "sensor-a2", "sensor-b1", "sensor-b2"].map {
                #"{"floor":"@twin:bldg1","room":"@twin:\#($0)"}"#
            },
            "MatchCombinedHopsExample"),
        rows(
            "match", "SELECT COUNT() FROM DIGITALTWINS MATCH (b)-[:contains*..3]->(x) WHERE b.$dtId = 'bldg1'",
            count(11)),
        rows(
            "match", "SELECT x.name FROM DIGITALTWINS MATCH (b)-[:contains]->(x) WHERE b.$dtId = 'floor2'",
            [#"{"name":"Office 201"}"#, #"{"name":"Big Room"}"#, #"{"name":"Board"}"#]),
        rows(
            "match",
            "SELECT f, room, e FROM DIGITALTWINS MATCH (f)-[r1:contains]->(room)<-[r2:isServicedBy]-(e) WHERE f.$dtId = 'floor1' AND r2.priority = 2",
            [#"{"f":"@twin:floor1","room":"@twin:room102","e":"@twin:hvac1"}"#], "MatchCombinedChainBDExample"),
        rows(
            "match",
            "SELECT room, e FROM DIGITALTWINS MATCH (b)-[:contains*2]->(room)<-[:isServicedBy]-(e) WHERE b.$dtId = 'bldg1'",
            [
                #"{"room":"@twin:room101","e":"@twin:hvac1"}"#, #"{"room":"@twin:room102","e":"@twin:hvac1"}"#,
                #"{"room":"@twin:room201","e":"@twin:hvac2"}"#,
            ]),
        rows(
            "match",
            "SELECT floor, room, cafe FROM DIGITALTWINS MATCH (floor)-[r:contains|isAssociatedWith]->(cafe)<-[:isServicedBy*..3]-(room) WHERE floor.$dtId = 'floor1' AND r.weight = 3 AND cafe.capacity = 12",
            [#"{"floor":"@twin:floor1","room":"@twin:hvac1","cafe":"@twin:room102"}"#], "MatchCombinedChainExample"),
        rows(
            "match",
            "SELECT x.$dtId FROM DIGITALTWINS MATCH (a)-[r:contains|isServicedBy]-(x) WHERE a.$dtId = 'room102' AND r.$relationshipName = 'isServicedBy'",
            dtIds("hvac1")),
        rows(
            "match", "SELECT room FROM DIGITALTWINS MATCH (s)<-[:contains]-(room) WHERE s.$dtId = 'sensor-b1'",
            keyed("room", ["room201"])),
        rows(
            "match", "SELECT x FROM DIGITALTWINS MATCH (a)-[:Contains]->(x) WHERE a.$dtId = 'bldg1'", [],
            "relationship names are case-sensitive"),
        rows(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[:contains*2]-(b) WHERE a.$dtId = 'room201'",
            keyed("b", ["bldg1", "room202", "room203"]),
            "either direction, 2 hops; room201→floor2→room201 would reuse an edge"),
        rows(
            "match", "SELECT e FROM DIGITALTWINS MATCH (r)-[:isServicedBy]-(e) WHERE r.$dtId = 'room102'",
            keyed("e", ["hvac1"])),
        rows(
            "match", "SELECT COUNT() FROM DIGITALTWINS MATCH (twin_1) WHERE twin_1.$dtId IN ['bldg1', 'nobody']",
            count(1)),
        error(
            "match", "SELECT a, b FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE a.capacity > 1", "SqlQueryError",
            "MATCH needs a $dtId filter"),
        error(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[*11]->(b) WHERE a.$dtId = 'bldg1'", "SqlQueryError",
            "over 10 hops"),
        error(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[*6]->(b)-[*5]->(c) WHERE a.$dtId = 'bldg1'",
            "SqlQueryError", "11 hops in total"),
        error(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[r*2]->(b) WHERE a.$dtId = 'bldg1'", "SqlQueryError",
            "a variable only on a single hop"),
        error(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)<-[]->(b) WHERE a.$dtId = 'bldg1'", "SqlQueryError",
            "one arrowhead per edge"),
        error(
            "match", "SELECT b FROM DIGITALTWINS MATCH (a)-[:contains]->(b) MATCH (b)-[]->(c) WHERE a.$dtId = 'bldg1'",
            "SqlQueryError",
            "one MATCH per query"),
    ]

    // MARK: FROM RELATIONSHIPS (§4, §2 system fields)

    static let relationships: [QueryCase] = [
        rows(
            "relationships", "SELECT * FROM RELATIONSHIPS", allRelationships.map { "@rel:\($0)" },
            "FromRelationshipsExample"),
        rows(
            "relationships", "SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['bldg1', 'hvac2']",
            rel("b1-f1", "b1-f2", "b1-pump", "hvac2-r201"), "FromRelationshipsFilteredExample"),
        rows(
            "relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.$relationshipName = 'isServicedBy'",
            rel("hvac1-r101", "hvac1-r102", "hvac2-r201")),
        rows(
            "relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.$targetId = 'room101'", rel("f1-r101", "hvac1-r101")
        ),
        rows("relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.$relationshipId = 'b1-f1'", rel("b1-f1")),
        rows(
            "relationships",
            "SELECT R.$sourceId, R.$targetId FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains' AND R.weight >= 3",
            [#"{"$sourceId":"floor1","$targetId":"room102"}"#, #"{"$sourceId":"floor2","$targetId":"room202"}"#]),
        rows(
            "relationships", "SELECT R.note FROM RELATIONSHIPS R WHERE IS_DEFINED(R.note)",
            [#"{"note":"new wing"}"#, #"{"note":"main"}"#, #"{"note":"Été"}"#]),
        rows(
            "relationships", "SELECT R.$relationshipId FROM RELATIONSHIPS R WHERE R.note > 'z'",
            [#"{"$relationshipId":"r201-sb1"}"#],
            "ordinal: 'É' (U+00C9) sorts after 'z'"),
        rows(
            "relationships", "SELECT R.$relationshipId FROM RELATIONSHIPS R WHERE R.note < 'n'",
            [#"{"$relationshipId":"f1-r102"}"#],
            "ordinal, not a linguistic collation: 'Été' is not before 'n'"),
        rows(
            "relationships", "SELECT R.$relationshipId FROM RELATIONSHIPS R WHERE STARTSWITH(R.note, 'É')",
            [#"{"$relationshipId":"r201-sb1"}"#]),
        rows(
            "relationships", "SELECT * FROM RELATIONSHIPS WHERE STARTSWITH($relationshipId, 'f2-')",
            rel("f2-r201", "f2-r202", "f2-r203")),
        rows("relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.since > '2021-01-01'", rel("b1-f2", "f2-r201")),
        rows("relationships", "SELECT COUNT() FROM RELATIONSHIPS WHERE $relationshipName = 'contains'", count(15)),
        rows(
            "relationships", "SELECT R FROM RELATIONSHIPS R WHERE R.$relationshipId = 'r302-f3'",
            [#"{"R":"@rel:r302-f3"}"#]),
        rows("relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.priority NIN [1]", rel("hvac1-r102")),
        rows("relationships", "SELECT COUNT() FROM RELATIONSHIPS R WHERE STARTSWITH(R.$etag, 'W/')", count(19)),
        rows("relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.$sourceId = 'nobody'", []),
        rows(
            "relationships", "SELECT R.$relationshipId FROM RELATIONSHIPS R WHERE R.$targetId = 'floor3'",
            [#"{"$relationshipId":"r302-f3"}"#]),
        rows(
            "relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.weight > 1 AND R.$sourceId = 'floor2'",
            rel("f2-r202", "f2-r203")),
        rows(
            "relationships",
            "SELECT R.$relationshipId AS id FROM RELATIONSHIPS R WHERE R.$relationshipName IN ['isAssociatedWith', 'isServicedBy'] AND NOT R.priority = 1",
            [#"{"id":"hvac1-r102"}"#], "b1-pump has no priority: excluded even under NOT"),
        rows(
            "relationships", "SELECT R.$relationshipId, R.weight FROM RELATIONSHIPS R WHERE R.$sourceId = 'bldg1'",
            [
                #"{"$relationshipId":"b1-f1","weight":1}"#, #"{"$relationshipId":"b1-f2","weight":2}"#,
                #"{"$relationshipId":"b1-pump"}"#,
            ]),
        rows(
            "relationships", "SELECT * FROM RELATIONSHIPS R WHERE R.$relationshipName = 'Contains'", [],
            "case-sensitive"),
    ]

    // MARK: Twin system fields (§2)

    static let systemFields: [QueryCase] = [
        whereT(
            "system", "T.$metadata.$model = 'dtmi:ex:Room;2'", ["room102", "room201"], "$model is the exact model id"),
        whereT(
            "system", "STARTSWITH(T.$metadata.$model, 'dtmi:ex:Room;')", ["room101", "room102", "room201", "room302"]),
        rows("system", #"SELECT COUNT() FROM DIGITALTWINS T WHERE STARTSWITH(T.$etag, 'W/"')"#, count(27)),
        rows(
            "system",
            "SELECT T.$dtId FROM DIGITALTWINS T WHERE T.$metadata.$model IN ['dtmi:ex:Office;1', 'dtmi:ex:Boardroom;1']",
            dtIds("room301", "room203")),
        whereT("system", "IS_DEFINED(T.$metadata.$model) AND T.$dtId = 'zone-empty'", ["zone-empty"]),
        rows(
            "system",
            "SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('dtmi:ex:Equipment;1') AND T.$dtId != 'hvac1'",
            dtIds("hvac2", "pump1", "area1-hvac")),
    ]

    // MARK: Errors (§1: SqlQueryError for syntax and semantic errors)

    static let errors: [QueryCase] = [
        error("error", "SELECT * FROM DIGITALTWINS WHERE"),
        error("error", "SELECT * FROM"),
        error(
            "error", "SELECT * FROM (SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'bldg1')", "SqlQueryError",
            "FromNegativeExample: no subqueries"),
        error(
            "error", "SELECT * FROM DIGITALTWINS WHERE Group = 'BravoTeam'", "SqlQueryError", "reserved word unescaped"),
        error("error", "SELECT * FROM DIGITALTWINS T WHERE FOO(T.name)"),
        error("error", "SELECT * FROM DIGITALTWINS T WHERE T.capacity <> 5"),
        error(
            "error", "SELECT * FROM DIGITALTWINS T ORDER BY T.name", "SqlQueryError",
            "ORDER BY is not part of the ADT language"),
        error("error", "SELECT COUNT() FROM DIGITALTWINS T GROUP BY T.name"),
        error("error", "SELECT TOP(0) FROM DIGITALTWINS"),
        error("error", "SELECT COUNT(*) FROM DIGITALTWINS"),
        error("error", "SELECT * FROM DIGITALTWINS T WHERE T.name = 'unterminated"),
        error(
            "error", "SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(R, 'dtmi:ex:Room;1')", "SqlQueryError",
            "unknown collection"),
        error(
            "error", "SELECT * FROM DIGITALTWINS T WHERE T.name IN ('HQ')", "SqlQueryError", "lists use square brackets"
        ),
        error("error", "SELECT * FROM TWINS"),
        error("error", "SELECT * FROM DIGITALTWINS T WHERE T.name = 'HQ' AND"),
        error("error", "SELECT DISTINCT T.name FROM DIGITALTWINS T"),
        error("error", "SELECT AVG(T.capacity) FROM DIGITALTWINS T"),
        error("error", "DELETE FROM DIGITALTWINS"),
    ]

    // MARK: Limits (§10)

    static var limits: [QueryCase] {
        let prefix = "SELECT COUNT() FROM DIGITALTWINS T WHERE T.name != '"
        let exactly8000 = prefix + String(repeating: "x", count: 8000 - prefix.count - 1) + "'"
        let over8000 = prefix + String(repeating: "x", count: 8001 - prefix.count - 1) + "'"
        let ids100 = (["'bldg1'"] + (1..<100).map { "'x\($0)'" }).joined(separator: ", ")
        let ids101 = (["'bldg1'"] + (1..<101).map { "'x\($0)'" }).joined(separator: ", ")
        let and50 =
            "SELECT COUNT() FROM DIGITALTWINS T WHERE T.capacity > 0"
            + String(repeating: " AND T.capacity > 0", count: 50)
        let and51 = and50 + " AND T.capacity > 0"
        return [
            rows("limits", exactly8000, count(20), "8,000 characters are allowed; 20 twins have a name"),
            error("limits", over8000, "SqlQueryError", "over 8,000 characters"),
            rows("limits", "SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN [\(ids100)]", t("bldg1"), "100 IN items"),
            error(
                "limits", "SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN [\(ids101)]", "SqlQueryError", "101 IN items"),
            error(
                "limits", "SELECT * FROM DIGITALTWINS T WHERE T.$dtId NIN [\(ids101)]", "SqlQueryError", "101 NIN items"
            ),
            rows("limits", and50, count(10), "50 AND/OR operators"),
            error("limits", and51, "SqlQueryError", "51 AND/OR operators"),
        ]
    }
}
