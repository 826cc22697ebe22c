import ADTWire
import DTDL
@testable import DeviceLifecycle
import Foundation
import Testing

/// The shared reference vectors, when this machine has them.
enum VectorFile {
    static let path =
        ProcessInfo.processInfo.environment["DEVICE_FLOW_TEST_VECTORS"]
        ?? "/work/shared/reference/device-flow/test-vectors.json"
    static var present: Bool { FileManager.default.fileExists(atPath: path) }
    static func load() throws -> JSONObject {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONParser.parse(Array(data)).objectValue)
    }
}

@Suite struct SharedAccessSignatureTests {
    static let groupKey = "oiK77Oy7rBw8YB6IS6ukRChAw+Yq6GC61RMrPLSTiOOtdI+XDu0LmLuNm11p+qv2I+adqGUdZHm46zXAQdZoOA=="

    // Vectors copied from test-vectors.json, so these run everywhere.

    @Test(arguments: [
        ("breakroom499-contoso-tstrsd-007", "JC8F96eayuQwwz+PkE7IzjH2lIAjCUnAa61tDigBnSs="),
        ("mainbuilding167-contoso-hpsd-088", "6uejA9PfkQgmYylj8Zerp3kcbeVrGZ172YLa7VSnJzg="),
        ("thermostat-67", "n9x8qb0Bv2pZrnlTL5fBb7eAFbJuM9SWjUmKsteofNw="),
    ])
    func derivedDeviceKeys(registrationID: String, expected: String) throws {
        #expect(
            try SharedAccessSignature.deriveDeviceKey(groupKey: Self.groupKey, registrationID: registrationID)
                == expected)
    }

    @Test func hmacVectors() throws {
        #expect(
            try SharedAccessSignature.sign("string-to-sign", key: "cGFzc3dvcmQ=")
                == "o1n1hiIVgzVA2+krq9ty1Z4xsIJKJZP3dYT8MOi65Y4=")
        #expect(
            try SharedAccessSignature.sign("uri\n12345", key: "cGFzc3dvcmQ=")
                == "kcWxXAK2OAaAoq2oCkaGzX2NMqDB8nCyNuq2fPYCDhk=")
        // Node decodes the unpadded, non-canonical key "key" leniently to 0x91 0xEC; so do we.
        #expect(
            try SharedAccessSignature.sign("host%2Fdevices%2Fdevice\n12345", key: "key")
                == "wM3XiP6gD960IxP7J5WHqnxQHEcWC6YaQCtoMT+kKHc=")
    }

    @Test func docsHubTokenIsReproducedAndVerifies() throws {
        let key = "18RQk/hOPJR9EbsJlk2j8WA6vWaj/yi+oaYg7zmxfQNdOyMSu+SJ8O7TSlZhDJCYmn4rzEiVKIzNiVAWjLxrGA=="
        let expected =
            "SharedAccessSignature sr=MyExampleHub.azure-devices.net%2Fdevices%2Fmy-symkey-device&sig=f%2BwW8XOKeJOtiPc9Iwjc4OpExvPM7NlhM9qxN2a1aAM%3D&se=1663119026"
        let token = try SharedAccessSignature.create(
            resourceURI: "MyExampleHub.azure-devices.net/devices/my-symkey-device", key: key, expiry: 1_663_119_026)
        #expect(token.token == expected)
        let parsed = try SharedAccessSignature.parse(expected)
        #expect(parsed == token)
        try parsed.verify(
            keys: [key], now: Date(timeIntervalSince1970: 1_663_119_000),
            resource: "myexamplehub.azure-devices.net/devices/my-symkey-device")
    }

    @Test func generatedDPSChain() throws {
        let deviceKey = try SharedAccessSignature.deriveDeviceKey(
            groupKey: Self.groupKey, registrationID: "thermostat-67")
        let token = try SharedAccessSignature.create(
            resourceURI: "0ne00000A1B/registrations/thermostat-67", key: deviceKey, expiry: 1_700_000_000,
            keyName: "registration")
        #expect(token.signature == "YClNOVA0nvyHk0LLrpye+UI4bHaEFy6KRVjID3C+utI=")
        #expect(
            token.token
                == "SharedAccessSignature sr=0ne00000A1B%2Fregistrations%2Fthermostat-67&sig=YClNOVA0nvyHk0LLrpye%2BUI4bHaEFy6KRVjID3C%2ButI%3D&se=1700000000&skn=registration"
        )
        let before = Date(timeIntervalSince1970: 1_699_999_000)
        try token.verify(
            keys: [deviceKey], now: before, resource: "0ne00000A1B/registrations/thermostat-67", keyName: "registration"
        )
        // Node style: sr not encoded, fields in another order; the raw sr is what was signed.
        let node = try SharedAccessSignature.parse(
            "SharedAccessSignature sr=0ne00000A1B/registrations/thermostat-67&sig=IS0UFo2n9RpCvuBR2KiVkVdLtZvgmxzxlYClBevmNlk%3D&skn=registration&se=1700000000"
        )
        try node.verify(
            keys: [deviceKey], now: before, resource: "0ne00000A1B/registrations/thermostat-67", keyName: "registration"
        )
    }

    @Test func lowerCaseEscapesVerify() throws {
        let key = "cGFzc3dvcmQ="
        let sr = "myhub.azure-devices.net%2fdevices%2fthermostat-67"
        let sig = try SharedAccessSignature.sign("\(sr)\n2000000000", key: key)
        let token = try SharedAccessSignature.parse(
            "SharedAccessSignature sr=\(sr)&sig=\(SharedAccessSignature.urlEncode(sig))&se=2000000000")
        try token.verify(
            keys: [key], now: Date(timeIntervalSince1970: 1_900_000_000),
            resource: "myhub.azure-devices.net/devices/thermostat-67")
    }

    @Test func refusals() throws {
        let key = "cGFzc3dvcmQ="
        let other = "b3RoZXI="
        let token = try SharedAccessSignature.create(
            resourceURI: "hub/devices", key: key, expiry: 2_000_000_000, keyName: "registryReadWrite")
        let now = Date(timeIntervalSince1970: 1_900_000_000)
        func reason(_ body: () throws -> Void) -> SASError.Reason? {
            do {
                try body()
                return nil
            } catch { return (error as? SASError)?.reason }
        }
        #expect(
            reason { try token.verify(keys: [key], now: now, resource: "hub/devices/d1", keyName: "registryReadWrite") }
                == nil)
        #expect(reason { try token.verify(keys: [other, key], now: now) } == nil)
        #expect(reason { try token.verify(keys: [other], now: now) } == .signatureMismatch)
        #expect(reason { try token.verify(keys: [key], now: Date(timeIntervalSince1970: 2_000_000_000)) } == .expired)
        #expect(reason { try token.verify(keys: [key], now: now, resource: "hub/devicesX/d1") } == .resourceMismatch)
        #expect(
            reason { try token.verify(keys: [key], now: now, resource: "otherhub/devices/d1") } == .resourceMismatch)
        #expect(reason { try token.verify(keys: [key], now: now, keyName: "registration") } == .keyNameMismatch)
        #expect(reason { try token.verify(keys: ["***"], now: now) } == .invalidKey)

        var tampered = token
        tampered.resource = "hub%2Fdevices%2Fd2"
        #expect(reason { try tampered.verify(keys: [key], now: now) } == .signatureMismatch)
        tampered = token
        tampered.expiry += 1
        #expect(reason { try tampered.verify(keys: [key], now: now) } == .signatureMismatch)
    }

    @Test(arguments: [
        "", "SharedAccessSignature", "Bearer abc", "SharedAccessSignature sig=abc&se=1",
        "SharedAccessSignature sr=a&se=1", "SharedAccessSignature sr=a&sig=abc",
        "SharedAccessSignature sr=a&sig=abc&se=soon",
        "SharedAccessSignature sr=a&sig=abc&se=1&se=2", "SharedAccessSignature sr=a&sig=%zz&se=1",
        "SharedAccessSignature sr&sig=a&se=1",
    ])
    func malformedTokens(text: String) {
        #expect(throws: SASError.self) { try SharedAccessSignature.parse(text) }
    }

    @Test func urlEncoding() {
        #expect(SharedAccessSignature.urlEncode("a/b+c=d e~_.-") == "a%2Fb%2Bc%3Dd%20e~_.-")
        #expect(SharedAccessSignature.urlDecode("a%2fb%2Bc") == "a/b+c")
        #expect(SharedAccessSignature.urlDecode("a+b") == "a+b")
        #expect(SharedAccessSignature.urlDecode("%4") == nil)
    }

    // Every vector of the shared file, when present.

    @Test(
        .enabled(
            if: VectorFile.present, "test-vectors.json not found at \(VectorFile.path); set DEVICE_FLOW_TEST_VECTORS"))
    func everyVectorInTheSharedFile() throws {
        let vectors = try VectorFile.load()
        var checked = 0
        for v in vectors["derivedDeviceKey"]?.arrayValue ?? [] {
            let derived = try SharedAccessSignature.deriveDeviceKey(
                groupKey: try #require(v["groupKey"]?.stringValue),
                registrationID: try #require(v["registrationId"]?.stringValue))
            #expect(derived == v["expected"]?.stringValue)
            checked += 1
        }
        for v in vectors["hmacSignature"]?.arrayValue ?? [] {
            let key = try #require(v["key"]?.stringValue)
            let stringToSign = try #require(v["stringToSign"]?.stringValue)
            #expect(try SharedAccessSignature.sign(stringToSign, key: key) == v["expected"]?.stringValue)
            if let expectedInToken = v["expectedInToken"]?.stringValue {
                #expect(SharedAccessSignature.urlEncode(try #require(v["expected"]?.stringValue)) == expectedInToken)
            }
            if let text = v["expectedToken"]?.stringValue {
                let token = try SharedAccessSignature.parse(text)
                try token.verify(keys: [key], now: Date(timeIntervalSince1970: Double(token.expiry - 60)))
                let again = try SharedAccessSignature.create(
                    resourceURI: token.decodedResource, key: key, expiry: token.expiry)
                #expect(again.token == text)
            }
            checked += 1
        }
        let chain = try #require(vectors["generatedLocally_endToEnd"]?.objectValue)
        let deviceKey = try SharedAccessSignature.deriveDeviceKey(
            groupKey: try #require(chain["groupKey"]?.stringValue),
            registrationID: try #require(chain["registrationId"]?.stringValue))
        #expect(deviceKey == chain["derivedDeviceKey"]?.stringValue)
        let dps = try #require(chain["dps"]?.objectValue)
        let se = try #require(dps["se"].flatMap { if case .integer(let i) = $0 { return i } else { return nil } })
        let before = Date(timeIntervalSince1970: Double(se - 60))
        let resource = try #require(dps["resourceUri"]?.stringValue)
        let created = try SharedAccessSignature.create(
            resourceURI: resource, key: deviceKey, expiry: se, keyName: "registration")
        #expect(created.resource == dps["sr_encoded"]?.stringValue)
        #expect(created.signature == dps["sig_over_encoded_sr"]?.stringValue)
        #expect(created.token == dps["token"]?.stringValue)
        for key in ["token", "token_node_style"] {
            let token = try SharedAccessSignature.parse(try #require(dps[key]?.stringValue))
            try token.verify(keys: [deviceKey], now: before, resource: resource, keyName: "registration")
        }
        let nodeSig = dps.members.first { $0.key.hasPrefix("sig_over_raw_sr") }?.value.stringValue
        #expect(try SharedAccessSignature.sign("\(resource)\n\(se)", key: deviceKey) == nodeSig)
        let hub = try #require(chain["hub"]?.objectValue)
        let hubToken = try SharedAccessSignature.create(
            resourceURI: try #require(hub["resourceUri"]?.stringValue), key: deviceKey, expiry: se)
        #expect(hubToken.signature == hub["sig"]?.stringValue)
        #expect(hubToken.token == hub["token"]?.stringValue)
        try SharedAccessSignature.parse(try #require(hub["token"]?.stringValue)).verify(
            keys: [deviceKey], now: before, resource: try #require(hub["resourceUri"]?.stringValue))
        checked += 1
        #expect(checked >= 8)
    }
}
