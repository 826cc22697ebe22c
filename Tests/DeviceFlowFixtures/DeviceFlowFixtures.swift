/// Request bodies of the device flow's reference material (DPS custom allocation, IoT Hub's
/// Event Grid events), shared by the tests of the functions and of their host, and kept here so
/// that tests never read the reference folder.
public enum DeviceFlowFixtures {
    /// The AllocationRequest of the thermostat scenario, verbatim but for the registration id.
    public static func scenarioAllocationRequest(registrationID: String = "thermostat-67") -> String {
        """
        {
          "enrollmentGroup": {
            "enrollmentGroupId": "adt-thermostats",
            "attestation": {"type": "symmetricKey"},
            "capabilities": {"iotEdge": false},
            "etag": "\\"13003fea-0000-0300-0000-62d1d5e50000\\"",
            "provisioningStatus": "enabled",
            "reprovisionPolicy": {"updateHubAssignment": true, "migrateDeviceData": true},
            "createdDateTimeUtc": "2022-07-05T21:27:16.8123235Z",
            "lastUpdatedDateTimeUtc": "2022-07-15T21:02:29.5922255Z",
            "allocationPolicy": "custom",
            "iotHubs": ["myhub.azure-devices.net"],
            "customAllocationDefinition": {"webhookUrl": "https://<func>/api/DpsAdtAllocationFunc?code=****", "apiVersion": "2021-10-01"}
          },
          "deviceRuntimeContext": {
            "registrationId": "\(registrationID)",
            "symmetricKey": {},
            "payload": {"modelId": "dtmi:contosocom:DigitalTwins:Thermostat;2"}
          },
          "linkedHubs": ["myhub.azure-devices.net"]
        }
        """
    }

    /// The Event Grid `Microsoft.Devices.DeviceDeleted` array.
    public static func eventGridDeviceDeleted(deviceID: String = "thermostat-67") -> String {
        """
        [{"id":"56afc886-767b-d359-d59e-0da7877166b2","topic":"/SUBSCRIPTIONS/<sub>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.DEVICES/IOTHUBS/<hub>",
          "subject":"devices/\(deviceID)","eventType":"Microsoft.Devices.DeviceDeleted","eventTime":"2018-01-02T19:17:44.4383997Z",
          "data":{"twin":{"deviceId":"\(deviceID)","etag":"AAAAAAAAAAE=","deviceEtag":"null","status":"enabled",
                  "statusUpdateTime":"0001-01-01T00:00:00","connectionState":"Disconnected","lastActivityTime":"0001-01-01T00:00:00",
                  "cloudToDeviceMessageCount":0,"authenticationType":"sas",
                  "x509Thumbprint":{"primaryThumbprint":null,"secondaryThumbprint":null},"version":2,
                  "properties":{"desired":{"$metadata":{"$lastUpdated":"2018-01-02T19:17:44.4383997Z"},"$version":1},"reported":{"$metadata":{"$lastUpdated":"2018-01-02T19:17:44.4383997Z"},"$version":1}}},
                  "hubName":"egtesthub1","deviceId":"\(deviceID)"},
          "dataVersion":"1","metadataVersion":"1"}]
        """
    }

    /// The sample's Thermostat;2 model.
    public static let thermostatModel = """
        {"@id": "dtmi:contosocom:DigitalTwins:Thermostat;2", "@type": "Interface", "displayName": "Thermostat interface model",
         "@context": "dtmi:dtdl:context;2",
         "contents": [
           {"@type": "Property", "name": "DisplayName", "schema": "string"},
           {"@type": "Property", "name": "Location", "schema": "string"},
           {"@type": "Property", "name": "FirmwareVersion", "schema": "string"},
           {"@type": "Property", "name": "Temperature", "schema": "double"},
           {"@type": "Property", "name": "ComfortIndex", "schema": "double"},
           {"@type": "Property", "name": "HubRegistrationId", "schema": "string"},
           {"@type": "Relationship", "name": "contains", "displayName": "contains",
            "properties": [{"name": "ownershipUser", "@type": "Property", "schema": "string"},
                           {"name": "ownershipDepartment", "@type": "Property", "schema": "string"}]},
           {"@type": "Relationship", "name": "serves", "displayName": "serves"}
         ]}
        """

    /// The sample's Space;1 model.
    public static let spaceModel = """
        {"@id": "dtmi:contosocom:DigitalTwins:Space;1", "@type": "Interface", "displayName": "Space interface model",
         "@context": "dtmi:dtdl:context;2",
         "contents": [
           {"@type": "Property", "name": "DisplayName", "schema": "string"},
           {"@type": "Property", "name": "Location", "schema": "string"},
           {"@type": "Property", "name": "Temperature", "schema": "double"},
           {"@type": "Property", "name": "ComfortIndex", "schema": "double"},
           {"@type": "Relationship", "name": "contains"}
         ]}
        """

    /// The code of ``subscriptionValidation``.
    public static let validationCode = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"

    /// Event Grid's subscription-validation event.
    public static let subscriptionValidation = """
        [{"id":"2d1781af-3a4c-4d7c-bd0c-e34b19da4e66","topic":"/subscriptions/xx/resourceGroups/rg/providers/Microsoft.Devices/IotHubs/myhub",
          "subject":"","data":{"validationCode":"512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
          "validationUrl":"https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/sub/validate?id=512d38b6&t=2018-04-26T20:30:54.4538837Z&apiVersion=2018-05-01-preview&token=1A1A1A1A"},
          "eventType":"Microsoft.EventGrid.SubscriptionValidationEvent","eventTime":"2018-01-25T22:12:19.4556811Z",
          "metadataVersion":"1","dataVersion":"1"}]
        """
}
