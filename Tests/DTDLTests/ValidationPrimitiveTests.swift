import ADTWire
@testable import DTDL
import Testing

/// One instance case: a schema, the JSON text submitted, whether it conforms.
struct PrimitiveInstanceCase: CustomTestStringConvertible, Sendable {
    let schema: PrimitiveSchema
    let submit: String
    let conforms: Bool
    init(_ schema: PrimitiveSchema, _ submit: String, _ conforms: Bool) {
        self.schema = schema
        self.submit = submit
        self.conforms = conforms
    }
    var testDescription: String { "\(schema.rawValue) \(submit) \(conforms ? "conforms" : "does not conform")" }
}

/// The primitive `instances` cases of the official DTDLParser test data (`generated/*InstancesV3.json`,
/// identical in V2), copied by hand so that they run without the fixtures. Submissions that are
/// not JSON (`""`, `$$`, `{ 23 ]`) are the JSON parser's business and are left out.
enum PrimitiveInstanceCases {
    static let official: [PrimitiveInstanceCase] = [
        // DateInstancesV3
        PrimitiveInstanceCase(.date, "\"1980-01-01\"", true),
        PrimitiveInstanceCase(.date, "\"1582-10-15\"", true),
        PrimitiveInstanceCase(.date, "\"0001-01-01\"", true),
        PrimitiveInstanceCase(.date, "\"0000-01-01\"", false),
        PrimitiveInstanceCase(.date, "\"0001-00-01\"", false),
        PrimitiveInstanceCase(.date, "\"0001-01-00\"", false),
        PrimitiveInstanceCase(.date, "\"9999-12-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-01-01\"", true),
        PrimitiveInstanceCase(.date, "\"1965-01-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-01-32\"", false),
        PrimitiveInstanceCase(.date, "\"1965-02-28\"", true),
        PrimitiveInstanceCase(.date, "\"1965-02-29\"", false),
        PrimitiveInstanceCase(.date, "\"1965-03-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-03-32\"", false),
        PrimitiveInstanceCase(.date, "\"1965-04-30\"", true),
        PrimitiveInstanceCase(.date, "\"1965-04-31\"", false),
        PrimitiveInstanceCase(.date, "\"1965-05-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-05-32\"", false),
        PrimitiveInstanceCase(.date, "\"1965-06-30\"", true),
        PrimitiveInstanceCase(.date, "\"1965-06-31\"", false),
        PrimitiveInstanceCase(.date, "\"1965-07-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-07-32\"", false),
        PrimitiveInstanceCase(.date, "\"1965-08-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-08-32\"", false),
        PrimitiveInstanceCase(.date, "\"1965-09-30\"", true),
        PrimitiveInstanceCase(.date, "\"1965-09-31\"", false),
        PrimitiveInstanceCase(.date, "\"1965-10-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-10-32\"", false),
        PrimitiveInstanceCase(.date, "\"1965-11-30\"", true),
        PrimitiveInstanceCase(.date, "\"1965-11-31\"", false),
        PrimitiveInstanceCase(.date, "\"1965-12-31\"", true),
        PrimitiveInstanceCase(.date, "\"1965-12-32\"", false),
        PrimitiveInstanceCase(.date, "\"1965-13-01\"", false),
        PrimitiveInstanceCase(.date, "\"1965-06-00\"", false),
        PrimitiveInstanceCase(.date, "\"1964-02-29\"", true),
        PrimitiveInstanceCase(.date, "\"1964-02-30\"", false),
        PrimitiveInstanceCase(.date, "\"19650101\"", false),
        PrimitiveInstanceCase(.date, "\"1965-01\"", false),
        PrimitiveInstanceCase(.date, "\"65-01-01\"", false),
        PrimitiveInstanceCase(.date, "true", false),
        PrimitiveInstanceCase(.date, "1", false),
        PrimitiveInstanceCase(.date, "null", false),
        PrimitiveInstanceCase(.date, "[ \"1980-01-01\" ]", false),
        PrimitiveInstanceCase(.date, "{ \"date\": \"1980-01-01\" }", false),
        // DateTimeInstancesV3
        PrimitiveInstanceCase(.dateTime, "\"0001-01-01T00:00:00Z\"", true),
        PrimitiveInstanceCase(.dateTime, "\"9999-12-31T23:59:59Z\"", true),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T00:00:60Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"00:60:00Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T24:00:00Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T06:00Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"80-01-01T06:00:00Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T06:00:00.00015Z\"", true),
        PrimitiveInstanceCase(.dateTime, "\"T06:00:00Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T06:00:00Z\"", true),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T06:00:00+00:00\"", true),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T06:00:00-00:00\"", true),
        PrimitiveInstanceCase(.dateTime, "\"1980-01-01T06:00:00\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1965-12-31T06:00:00+11:45\"", true),
        PrimitiveInstanceCase(.dateTime, "\"1965-12-31T06:00:00-01:15\"", true),
        PrimitiveInstanceCase(.dateTime, "\"1965-12-31T06:00:00-1:15\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1965-12-31T06:00:00+11\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1965-12-31T06:00+11:00\"", false),
        PrimitiveInstanceCase(.dateTime, "\"1965-12-31T06:00:00.1234+11:00\"", true),
        PrimitiveInstanceCase(.dateTime, "true", false),
        PrimitiveInstanceCase(.dateTime, "1", false),
        PrimitiveInstanceCase(.dateTime, "null", false),
        PrimitiveInstanceCase(.dateTime, "[ \"0001-01-01T00:00:00Z\" ]", false),
        PrimitiveInstanceCase(.dateTime, "{ \"dateTime\": \"0001-01-01T00:00:00Z\" }", false),
        // TimeInstancesV3
        PrimitiveInstanceCase(.time, "\"00:00:00Z\"", true),
        PrimitiveInstanceCase(.time, "\"23:59:59Z\"", true),
        PrimitiveInstanceCase(.time, "\"12:34:56Z\"", true),
        PrimitiveInstanceCase(.time, "\"00:00:60Z\"", false),
        PrimitiveInstanceCase(.time, "\"00:60:00Z\"", false),
        PrimitiveInstanceCase(.time, "\"24:00:00Z\"", false),
        PrimitiveInstanceCase(.time, "\"06:00Z\"", false),
        PrimitiveInstanceCase(.time, "\"06:00:00.00015Z\"", true),
        PrimitiveInstanceCase(.time, "\"T06:00:00Z\"", false),
        PrimitiveInstanceCase(.time, "\"1980-01-01T06:00:00Z\"", false),
        PrimitiveInstanceCase(.time, "\"06:00:00+11:45\"", true),
        PrimitiveInstanceCase(.time, "\"06:00:00-01:15\"", true),
        PrimitiveInstanceCase(.time, "\"06:00:00-1:15\"", false),
        PrimitiveInstanceCase(.time, "\"06:00:00+11\"", false),
        PrimitiveInstanceCase(.time, "\"06:00+11:00\"", false),
        PrimitiveInstanceCase(.time, "\"06:00:00.0000+11:00\"", true),
        PrimitiveInstanceCase(.time, "true", false),
        PrimitiveInstanceCase(.time, "1", false),
        PrimitiveInstanceCase(.time, "null", false),
        PrimitiveInstanceCase(.time, "[ \"12:34:56Z\" ]", false),
        PrimitiveInstanceCase(.time, "{ \"time\": \"12:34:56Z\" }", false),
        // DurationInstancesV3
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8H9M\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8H5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6MT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y4DT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P6M4DT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P2W4DT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P2W4DT8H9M\"", true),
        PrimitiveInstanceCase(.duration, "\"P2W4DT8H5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P2W4DT9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P2WT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M2W4DT8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M2W4DT8H9M\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M2W4DT8H5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M2W4DT9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M2WT8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y2W4DT8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P6M2W4DT8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8H\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4D\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y\"", true),
        PrimitiveInstanceCase(.duration, "\"P6M4DT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P4DT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"PT8H9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"P8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"PT9M5S\"", true),
        PrimitiveInstanceCase(.duration, "\"PT5S\"", true),
        PrimitiveInstanceCase(.duration, "\"PT0.001S\"", true),
        PrimitiveInstanceCase(.duration, "\"PT.001S\"", false),
        PrimitiveInstanceCase(.duration, "\"P163Y16M64DT389999M15S\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8H9M5.00134S\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8H9.00134M\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8.00134H\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4.00134D\"", true),
        PrimitiveInstanceCase(.duration, "\"P3Y6.00134M\"", true),
        PrimitiveInstanceCase(.duration, "\"P3.00134Y\"", true),
        PrimitiveInstanceCase(.duration, "\"P0Y\"", true),
        PrimitiveInstanceCase(.duration, "\"P0Y\"", true),
        PrimitiveInstanceCase(.duration, "\"P0M\"", true),
        PrimitiveInstanceCase(.duration, "\"P0D\"", true),
        PrimitiveInstanceCase(.duration, "\"PT0H\"", true),
        PrimitiveInstanceCase(.duration, "\"PT0M\"", true),
        PrimitiveInstanceCase(.duration, "\"PT0S\"", true),
        PrimitiveInstanceCase(.duration, "\"P6M3Y\"", false),
        PrimitiveInstanceCase(.duration, "\"PT5S9M\"", false),
        PrimitiveInstanceCase(.duration, "\"P\"", false),
        PrimitiveInstanceCase(.duration, "\"PT\"", false),
        PrimitiveInstanceCase(.duration, "\"P3.0Y6M4DT8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6.0M4DT8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4.0DT8H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8.0H9M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3Y6M4DT8H9.0M5S\"", false),
        PrimitiveInstanceCase(.duration, "\"P3W\"", true),
        PrimitiveInstanceCase(.duration, "\"P3.4W\"", true),
        PrimitiveInstanceCase(.duration, "\"P1Y3W\"", false),
        PrimitiveInstanceCase(.duration, "\"P2M3W\"", false),
        PrimitiveInstanceCase(.duration, "\"P1Y2M3W\"", false),
        PrimitiveInstanceCase(.duration, "\"P3W5D\"", true),
        PrimitiveInstanceCase(.duration, "\"P3.4W5D\"", false),
        PrimitiveInstanceCase(.duration, "\"15\"", false),
        PrimitiveInstanceCase(.duration, "\"15D\"", false),
        PrimitiveInstanceCase(.duration, "\"15\"", false),
        PrimitiveInstanceCase(.duration, "true", false),
        PrimitiveInstanceCase(.duration, "15", false),
        PrimitiveInstanceCase(.duration, "null", false),
        PrimitiveInstanceCase(.duration, "[ \"PT0S\" ]", false),
        PrimitiveInstanceCase(.duration, "{ \"duration\": \"PT0S\" }", false),
        // IntegerInstancesV3
        PrimitiveInstanceCase(.integer, "3", true),
        PrimitiveInstanceCase(.integer, "-2", true),
        PrimitiveInstanceCase(.integer, "0", true),
        PrimitiveInstanceCase(.integer, "-0", true),
        PrimitiveInstanceCase(.integer, "0.44", false),
        PrimitiveInstanceCase(.integer, "-0.33", false),
        PrimitiveInstanceCase(.integer, "3.14", false),
        PrimitiveInstanceCase(.integer, "-2.02", false),
        PrimitiveInstanceCase(.integer, "0.0", false),
        PrimitiveInstanceCase(.integer, "-0.0", false),
        PrimitiveInstanceCase(.integer, "2147483647", true),
        PrimitiveInstanceCase(.integer, "-2147483648", true),
        PrimitiveInstanceCase(.integer, "2147483648", false),
        PrimitiveInstanceCase(.integer, "-2147483649", false),
        PrimitiveInstanceCase(.integer, "\"3\"", false),
        PrimitiveInstanceCase(.integer, "true", false),
        PrimitiveInstanceCase(.integer, "null", false),
        PrimitiveInstanceCase(.integer, "[ 3 ]", false),
        PrimitiveInstanceCase(.integer, "{ \"value\": 3 }", false),
        // LongInstancesV3
        PrimitiveInstanceCase(.long, "3", true),
        PrimitiveInstanceCase(.long, "-2", true),
        PrimitiveInstanceCase(.long, "0", true),
        PrimitiveInstanceCase(.long, "-0", true),
        PrimitiveInstanceCase(.long, "0.44", false),
        PrimitiveInstanceCase(.long, "-0.33", false),
        PrimitiveInstanceCase(.long, "3.14", false),
        PrimitiveInstanceCase(.long, "-2.02", false),
        PrimitiveInstanceCase(.long, "0.0", false),
        PrimitiveInstanceCase(.long, "-0.0", false),
        PrimitiveInstanceCase(.long, "9223372036854775807", true),
        PrimitiveInstanceCase(.long, "-9223372036854775808", true),
        PrimitiveInstanceCase(.long, "9223372036854775808", false),
        PrimitiveInstanceCase(.long, "-9223372036854775809", false),
        PrimitiveInstanceCase(.long, "\"3\"", false),
        PrimitiveInstanceCase(.long, "true", false),
        PrimitiveInstanceCase(.long, "null", false),
        PrimitiveInstanceCase(.long, "[ 3 ]", false),
        PrimitiveInstanceCase(.long, "{ \"value\": 3 }", false),
        // FloatInstancesV3
        PrimitiveInstanceCase(.float, "3", true),
        PrimitiveInstanceCase(.float, "-2", true),
        PrimitiveInstanceCase(.float, "0", true),
        PrimitiveInstanceCase(.float, "-0", true),
        PrimitiveInstanceCase(.float, "0.44", true),
        PrimitiveInstanceCase(.float, "-0.33", true),
        PrimitiveInstanceCase(.float, "3.14", true),
        PrimitiveInstanceCase(.float, "-2.02", true),
        PrimitiveInstanceCase(.float, "0.0", true),
        PrimitiveInstanceCase(.float, "-0.0", true),
        PrimitiveInstanceCase(.float, "3.402823E+38", true),
        PrimitiveInstanceCase(.float, "-3.402823E+38", true),
        PrimitiveInstanceCase(.float, "3.402824E+38", false),
        PrimitiveInstanceCase(.float, "-3.402824E+38", false),
        PrimitiveInstanceCase(.float, "\"3.14\"", false),
        PrimitiveInstanceCase(.float, "true", false),
        PrimitiveInstanceCase(.float, "null", false),
        PrimitiveInstanceCase(.float, "[ 3.14 ]", false),
        PrimitiveInstanceCase(.float, "{ \"value\": 3.14 }", false),
        // DoubleInstancesV3
        PrimitiveInstanceCase(.double, "3", true),
        PrimitiveInstanceCase(.double, "-2", true),
        PrimitiveInstanceCase(.double, "0", true),
        PrimitiveInstanceCase(.double, "-0", true),
        PrimitiveInstanceCase(.double, "0.44", true),
        PrimitiveInstanceCase(.double, "-0.33", true),
        PrimitiveInstanceCase(.double, "3.14", true),
        PrimitiveInstanceCase(.double, "-2.02", true),
        PrimitiveInstanceCase(.double, "0.0", true),
        PrimitiveInstanceCase(.double, "-0.0", true),
        PrimitiveInstanceCase(.double, "1.79769313486231E+308", true),
        PrimitiveInstanceCase(.double, "-1.79769313486231E+308", true),
        PrimitiveInstanceCase(.double, "1.79769313486233E+308", false),
        PrimitiveInstanceCase(.double, "-1.79769313486233E+308", false),
        PrimitiveInstanceCase(.double, "\"3.14\"", false),
        PrimitiveInstanceCase(.double, "true", false),
        PrimitiveInstanceCase(.double, "null", false),
        PrimitiveInstanceCase(.double, "[ 3.14 ]", false),
        PrimitiveInstanceCase(.double, "{ \"value\": 3.14 }", false),
        // StringInstancesV3
        PrimitiveInstanceCase(.string, "\"hello\"", true),
        PrimitiveInstanceCase(.string, "\"\"", true),
        PrimitiveInstanceCase(.string, "true", false),
        PrimitiveInstanceCase(.string, "1", false),
        PrimitiveInstanceCase(.string, "null", false),
        PrimitiveInstanceCase(.string, "[ \"hello\" ]", false),
        PrimitiveInstanceCase(.string, "{ \"value\": \"hello\" }", false),
        // BooleanInstancesV3
        PrimitiveInstanceCase(.boolean, "true", true),
        PrimitiveInstanceCase(.boolean, "false", true),
        PrimitiveInstanceCase(.boolean, "\"true\"", false),
        PrimitiveInstanceCase(.boolean, "1", false),
        PrimitiveInstanceCase(.boolean, "null", false),
        PrimitiveInstanceCase(.boolean, "[ true ]", false),
        PrimitiveInstanceCase(.boolean, "{ \"value\": true }", false),
    ]

    /// Cases of our own for the schemas the official V2/V3 cases do not cover.
    static let extra: [PrimitiveInstanceCase] = [
        PrimitiveInstanceCase(.date, "\"2000-02-29\"", true),
        PrimitiveInstanceCase(.date, "\"1900-02-29\"", false),
        PrimitiveInstanceCase(.date, "\"2024-1-01\"", false),
        PrimitiveInstanceCase(.dateTime, "\"2022-05-31T12:00:01.000125009Z\"", true),
        PrimitiveInstanceCase(.dateTime, "\"2022-02-30T12:00:00Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"2022-01-01 12:00:00Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"2022-01-01T12:00:00.Z\"", false),
        PrimitiveInstanceCase(.dateTime, "\"2022-01-01T12:00:00+24:00\"", false),
        PrimitiveInstanceCase(.time, "\"12:00:00\"", false),
        PrimitiveInstanceCase(.duration, "\"-P1D\"", false),
        PrimitiveInstanceCase(.duration, "\"P1DT\"", false),
        PrimitiveInstanceCase(.duration, "\"PT1,5S\"", false),
        PrimitiveInstanceCase(.duration, "\"pT1S\"", false),
        PrimitiveInstanceCase(.byte, "127", true),
        PrimitiveInstanceCase(.byte, "-128", true),
        PrimitiveInstanceCase(.byte, "128", false),
        PrimitiveInstanceCase(.byte, "1.0", false),
        PrimitiveInstanceCase(.short, "-32768", true),
        PrimitiveInstanceCase(.short, "32768", false),
        PrimitiveInstanceCase(.unsignedByte, "255", true),
        PrimitiveInstanceCase(.unsignedByte, "-1", false),
        PrimitiveInstanceCase(.unsignedShort, "65535", true),
        PrimitiveInstanceCase(.unsignedShort, "65536", false),
        PrimitiveInstanceCase(.unsignedInteger, "4294967295", true),
        PrimitiveInstanceCase(.unsignedInteger, "4294967296", false),
        PrimitiveInstanceCase(.unsignedLong, "18446744073709551615", true),
        PrimitiveInstanceCase(.unsignedLong, "18446744073709600000", false),
        PrimitiveInstanceCase(.unsignedLong, "9223372036854775808", true),
        PrimitiveInstanceCase(.unsignedLong, "-1", false),
        PrimitiveInstanceCase(.unsignedLong, "3.5", false),
        PrimitiveInstanceCase(.decimal, "3.25", true),
        PrimitiveInstanceCase(.decimal, "3", true),
        PrimitiveInstanceCase(.decimal, "\"3.25\"", false),
        PrimitiveInstanceCase(.uuid, "\"123e4567-e89b-12d3-a456-426614174000\"", true),
        PrimitiveInstanceCase(.uuid, "\"123E4567-E89B-12D3-A456-426614174000\"", true),
        PrimitiveInstanceCase(.uuid, "\"123e4567e89b12d3a456426614174000\"", false),
        PrimitiveInstanceCase(.uuid, "\"{123e4567-e89b-12d3-a456-426614174000}\"", false),
        PrimitiveInstanceCase(.uuid, "\"123e4567-e89b-12d3-a456-42661417400g\"", false),
        PrimitiveInstanceCase(.bytes, "\"\"", true),
        PrimitiveInstanceCase(.bytes, "\"aGVsbG8=\"", true),
        PrimitiveInstanceCase(.bytes, "\"aGVsbG8h\"", true),
        PrimitiveInstanceCase(.bytes, "\"aGVsbA==\"", true),
        PrimitiveInstanceCase(.bytes, "\"aGVsbG8\"", false),
        PrimitiveInstanceCase(.bytes, "\"aGV=bG8=\"", false),
        PrimitiveInstanceCase(.bytes, "\"aGVsb===\"", false),
        PrimitiveInstanceCase(.bytes, "\"aGVs-G8_\"", false),
        PrimitiveInstanceCase(.bytes, "12", false),
        PrimitiveInstanceCase(.point, "{\"type\": \"Point\", \"coordinates\": [47.643742, -122.128014]}", true),
        PrimitiveInstanceCase(.point, "{\"type\": \"Point\", \"coordinates\": [1, 2, 3]}", true),
        PrimitiveInstanceCase(.point, "{\"type\": \"Point\", \"coordinates\": [1]}", false),
        PrimitiveInstanceCase(.point, "{\"type\": \"point\", \"coordinates\": [1, 2]}", false),
        PrimitiveInstanceCase(.point, "{\"type\": \"Point\"}", false),
        PrimitiveInstanceCase(.point, "{\"type\": \"Point\", \"coordinates\": [1, 2], \"name\": \"x\"}", false),
        PrimitiveInstanceCase(.point, "[1, 2]", false),
        PrimitiveInstanceCase(.multiPoint, "{\"type\": \"MultiPoint\", \"coordinates\": [[1, 2], [3, 4]]}", true),
        PrimitiveInstanceCase(.multiPoint, "{\"type\": \"MultiPoint\", \"coordinates\": [1, 2]}", false),
        PrimitiveInstanceCase(.lineString, "{\"type\": \"LineString\", \"coordinates\": [[1, 2], [3, 4]]}", true),
        PrimitiveInstanceCase(.lineString, "{\"type\": \"LineString\", \"coordinates\": [[1, 2]]}", false),
        PrimitiveInstanceCase(
            .multiLineString, "{\"type\": \"MultiLineString\", \"coordinates\": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]}",
            true),
        PrimitiveInstanceCase(
            .multiLineString, "{\"type\": \"MultiLineString\", \"coordinates\": [[1, 2], [3, 4]]}", false),
        PrimitiveInstanceCase(
            .polygon, "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}", true),
        PrimitiveInstanceCase(
            .polygon, "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}", false),
        PrimitiveInstanceCase(.polygon, "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [0, 0]]]}", false),
        PrimitiveInstanceCase(
            .polygon,
            "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 0]]], \"bbox\": [0, 0, 1, 1]}", true
        ),
        PrimitiveInstanceCase(
            .multiPolygon, "{\"type\": \"MultiPolygon\", \"coordinates\": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]}", true),
        PrimitiveInstanceCase(
            .multiPolygon, "{\"type\": \"MultiPolygon\", \"coordinates\": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}", false),
    ]
}

@Suite struct ValidationPrimitiveTests {
    @Test(arguments: PrimitiveInstanceCases.official + PrimitiveInstanceCases.extra)
    func primitiveInstance(_ c: PrimitiveInstanceCase) throws {
        let value = try JSONParser.parse(c.submit)
        let violation = SchemaValidator().violation(of: value, against: .primitive(c.schema))
        #expect((violation == nil) == c.conforms, "\(violation?.description ?? "conforms")")
    }

    @Test func officialTableCoversEveryListedSchema() {
        let covered = Set(PrimitiveInstanceCases.official.map(\.schema))
        #expect(covered == [.date, .dateTime, .time, .duration, .integer, .long, .float, .double, .string, .boolean])
        #expect(PrimitiveInstanceCases.official.count > 200)
    }

    @Test func everyPrimitiveRejectsNull() {
        for p in PrimitiveSchema.allCases {
            #expect(!SchemaValidator().conforms(.null, to: .primitive(p)), "\(p)")
        }
    }

    @Test func formatScannersWorkOnNonContiguousStrings() {
        // A bridged or substring-backed string may lack contiguous UTF-8 storage; the scanners
        // fall back to a copy.
        let text = String("x1980-01-01".dropFirst())
        #expect(ValueFormats.isDate(text))
        #expect(!ValueFormats.isDate(String("1980-01-0".dropFirst(0))))
    }

    @Test func stringCapCountsUTF8Bytes() {
        let validator = SchemaValidator(maxStringBytes: 4)
        #expect(validator.conforms("abcd", to: .primitive(.string)))
        #expect(!validator.conforms("abcde", to: .primitive(.string)))
        // "é" is two UTF-8 bytes: three of them exceed four bytes.
        let violation = validator.violation(of: "ééé", against: .primitive(.string))
        #expect(violation?.reason == .stringTooLong(byteCount: 6, limit: 4))
    }
}
