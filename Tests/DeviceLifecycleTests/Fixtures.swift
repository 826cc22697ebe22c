import ADTWire
import DTDL
import DeviceFlowFixtures

/// Request bodies and models copied from the reference material (SUMMARY.md §3/§4, the Azure
/// docs excerpts and the sample's models), kept here so that tests never read /work/shared.
enum Fixtures {
    /// SUMMARY.md §3: the AllocationRequest of the thermostat scenario.
    static let scenarioAllocationRequest = DeviceFlowFixtures.scenarioAllocationRequest()

    static let scenarioAllocationResponse =
        #"{"iotHubHostName":"myhub.azure-devices.net","initialTwin":{"tags":{"dtmi":"dtmi:contosocom:DigitalTwins:Thermostat;2","dtId":"thermostat-67"},"properties":{"desired":{}}}}"#

    /// concepts-custom-allocation.md: the docs' AllocationRequest (two hubs, no payload).
    static let docsAllocationRequest = """
        {
           "enrollmentGroup":{
              "enrollmentGroupId":"contoso-custom-allocated-devices",
              "attestation":{
                 "type":"symmetricKey"
              },
              "capabilities":{
                 "iotEdge":false
              },
              "etag":"\\"13003fea-0000-0300-0000-62d1d5e50000\\"",
              "provisioningStatus":"enabled",
              "reprovisionPolicy":{
                 "updateHubAssignment":true,
                 "migrateDeviceData":true
              },
              "createdDateTimeUtc":"2022-07-05T21:27:16.8123235Z",
              "lastUpdatedDateTimeUtc":"2022-07-15T21:02:29.5922255Z",
              "allocationPolicy":"custom",
              "iotHubs":[
                 "custom-allocation-toasters-hub.azure-devices.net",
                 "custom-allocation-heatpumps-hub.azure-devices.net"
              ],
              "customAllocationDefinition":{
                 "webhookUrl":"https://custom-allocation-function-app-3.azurewebsites.net/api/HttpTrigger1?****",
                 "apiVersion":"2021-10-01"
              }
           },
           "deviceRuntimeContext":{
              "registrationId":"breakroom499-contoso-tstrsd-007",
              "symmetricKey":{

              }
           },
           "linkedHubs":[
              "custom-allocation-toasters-hub.azure-devices.net",
              "custom-allocation-heatpumps-hub.azure-devices.net"
           ]
        }
        """

    /// concepts-custom-allocation.md: the re-provisioning fragment, verbatim, trailing comma
    /// included (so it is not valid JSON).
    static let docsReprovisioningFragment = """
        {
           "deviceRuntimeContext":{
              "registrationId":"breakroom499-contoso-tstrsd-007",
              "currentIotHubHostName":"custom-allocation-toasters-hub.azure-devices.net",
              "currentDeviceId":"breakroom499-contoso-tstrsd-007",
              "symmetricKey":{

              }
           },
        }
        """

    /// An allocation request for `registrationID` with the given model and hubs.
    static func allocationRequest(
        _ registrationID: String, model: String? = "dtmi:contosocom:DigitalTwins:Thermostat;2",
        hubs: [String] = ["myhub.azure-devices.net"]
    ) -> [UInt8] {
        var context = obj(["registrationId": .string(registrationID), "symmetricKey": [:]])
        if let model { context["payload"] = ["modelId": .string(model)] }
        let body: JSONValue = [
            "enrollmentGroup": ["enrollmentGroupId": "adt-thermostats"],
            "deviceRuntimeContext": .object(context),
            "linkedHubs": .array(hubs.map(JSONValue.string)),
        ]
        return JSONWriter.bytes(body)
    }

    /// SUMMARY.md §4: the lifecycle event as read from Event Hubs, in our envelope.
    static func lifecycleEnvelope(
        opType: String = "deleteDeviceIdentity", deviceID: String = "thermostat-67", dtId: String? = "thermostat-67"
    ) -> String {
        let tags = dtId.map { #""tags":{"dtmi":"dtmi:contosocom:DigitalTwins:Thermostat;2","dtId":"\#($0)"},"# } ?? ""
        return """
            {"properties": {"hubName": "myhub", "deviceId": "\(deviceID)", "operationTimestamp": "2022-05-27T18:49:38.4904785Z",
                            "opType": "\(opType)", "iothub-message-schema": "deviceLifecycleNotification"},
             "systemProperties": {"content-encoding": "utf-8", "content-type": "application/json", "correlation-id": "c5a4e6986c",
                                  "user-id": "myhub", "iothub-connection-device-id": "\(deviceID)",
                                  "iothub-enqueuedtime": 1653677378534, "iothub-message-source": "deviceLifecycleEvents"},
             "body": {"deviceId":"\(deviceID)","etag":"AAAAAAAAAAE=","version":2,\(tags)
                      "properties":{"desired":{"$metadata":{"$lastUpdated":"2022-05-27T18:49:38.4904785Z"},"$version":1},
                                    "reported":{"$metadata":{"$lastUpdated":"2022-05-27T18:49:38.4904785Z"},"$version":1}}}}
            """
    }

    /// SUMMARY.md §4: the Event Grid `Microsoft.Devices.DeviceDeleted` array.
    static let eventGridDeviceDeleted = DeviceFlowFixtures.eventGridDeviceDeleted()

    /// The same event in the CloudEvents schema (event-schema-iot-hub.md: source/type/time/specversion).
    static let cloudEventDeviceDeleted = """
        {"id":"56afc886-767b-d359-d59e-0da7877166b2","source":"/SUBSCRIPTIONS/<sub>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub>",
         "subject":"devices/thermostat-67","type":"Microsoft.Devices.DeviceDeleted","time":"2018-01-02T19:17:44.4383997Z",
         "specversion":"1.0","data":{"twin":{"deviceId":"thermostat-67","etag":"AAAAAAAAAAE=","version":2},"hubName":"egtesthub1","deviceId":"thermostat-67"}}
        """

    /// Event Grid's subscription-validation event.
    static let subscriptionValidation = DeviceFlowFixtures.subscriptionValidation

    /// event-schema-iot-hub.md: the Event Grid `Microsoft.Devices.DeviceTelemetry` example
    /// (JSON body), device d1.
    static let eventGridTelemetryJSON = """
        [{
          "id": "9af86784-8d40-fe2g-8b2a-bab65e106785",
          "topic": "/SUBSCRIPTIONS/<subscription ID>/RESOURCEGROUPS/<resource group name>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub name>",
          "subject": "devices/LogicAppTestDevice",
          "eventType": "Microsoft.Devices.DeviceTelemetry",
          "eventTime": "2019-01-07T20:58:30.48Z",
          "data": {
              "body": {
                  "Weather": {
                      "Temperature": 900
                  },
                  "Location": "USA"
              },
                "properties": {
                  "Status": "Active"
                },
                "systemProperties": {
                    "iothub-content-type": "application/json",
                    "iothub-content-encoding": "utf-8",
                    "iothub-connection-device-id": "d1",
                    "iothub-connection-auth-method": "{\\"scope\\":\\"device\\",\\"type\\":\\"sas\\",\\"issuer\\":\\"iothub\\",\\"acceptingIpFilterRule\\":null}",
                    "iothub-connection-auth-generation-id": "123455432199234570",
                    "iothub-enqueuedtime": "2019-01-07T20:58:30.48Z",
                    "iothub-message-source": "Telemetry"
                }
            },
          "dataVersion": "",
          "metadataVersion": "1"
        }]
        """
}

/// Models: the sample's Thermostat;2 and Space;1, plus test models with inheritance,
/// Telemetry and a Component.
enum TestModels {
    static let thermostatID = "dtmi:contosocom:DigitalTwins:Thermostat;2"
    static let spaceID = "dtmi:contosocom:DigitalTwins:Space;1"
    static let legacyID = "dtmi:com:example:LegacySensor;1"
    static let smartID = "dtmi:com:example:SmartThermostat;1"
    static let diagnosticsID = "dtmi:com:example:Diagnostics;1"

    static func parse(_ text: String) -> JSONObject { try! JSONParser.parse(text).objectValue! }

    static let thermostat = parse(DeviceFlowFixtures.thermostatModel)

    static let space = parse(DeviceFlowFixtures.spaceModel)

    static let legacy = parse(
        """
        {"@id": "dtmi:com:example:LegacySensor;1", "@type": "Interface", "@context": "dtmi:dtdl:context;2",
         "contents": [{"@type": "Property", "name": "Humidity", "schema": "double"},
                      {"@type": "Property", "name": "Temperature", "schema": "double"}]}
        """)

    /// Extends Thermostat;2; adds Telemetry (one with a semantic type) and a Component.
    static let smart = parse(
        """
        {"@id": "dtmi:com:example:SmartThermostat;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3",
         "extends": ["dtmi:contosocom:DigitalTwins:Thermostat;2"],
         "contents": [
           {"@type": ["Telemetry", "RelativeHumidity"], "name": "humidity", "schema": "double", "unit": "percent"},
           {"@type": "Telemetry", "name": "pressure", "schema": "double"},
           {"@type": "Component", "name": "diagnostics", "schema": "dtmi:com:example:Diagnostics;1"}
         ]}
        """)

    static let diagnostics = parse(
        """
        {"@id": "dtmi:com:example:Diagnostics;1", "@type": "Interface", "@context": "dtmi:dtdl:context;3",
         "contents": [{"@type": "Property", "name": "uptime", "schema": "long"}]}
        """)

    static let all = [thermostat, space, legacy, smart, diagnostics]
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

extension JSONValue {
    /// Parses test JSON text.
    static func parse(_ text: String) -> JSONValue { try! JSONParser.parse(text) }
}

/// A JSON object literal.
func obj(_ value: JSONValue) -> JSONObject { value.objectValue! }
