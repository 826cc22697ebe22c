import Testing

@testable import FunctionsHost

/// Function keys as Azure Functions checks them, and the refusal to serve without keys beyond
/// loopback.
struct FunctionKeysTests {
    @Test func hostKeysOpenEveryFunctionAndFunctionKeysTheirOwn() throws {
        let keys = try FunctionKeys(arguments: [
            "host-key-1", "DpsAdtAllocationFunc=alloc-key", "deletedeviceintwinfunc=retire-key",
        ])
        #expect(keys.hostKeys == ["host-key-1"])
        #expect(keys.functionKeys[.allocation] == ["alloc-key"])
        #expect(keys.functionKeys[.retire] == ["retire-key"])
        for function in FunctionName.allCases {
            #expect(keys.accepts("host-key-1", for: function))
        }
        #expect(keys.accepts("alloc-key", for: .allocation))
        #expect(!keys.accepts("alloc-key", for: .retire))
        #expect(!keys.accepts("alloc-key", for: .ingest))
        #expect(keys.accepts("retire-key", for: .retire))
        #expect(!keys.accepts(nil, for: .allocation))
        #expect(!keys.accepts("", for: .allocation))
        #expect(!keys.accepts("host-key-", for: .allocation))
        #expect(!keys.accepts("host-key-12", for: .allocation))
        #expect(!keys.accepts("HOST-KEY-1", for: .allocation))
    }

    @Test func base64KeysWithPaddingStayHostKeys() throws {
        let keys = try FunctionKeys(arguments: [
            "aGVsbG8gd29ybGQ=", "aGVsbG8gd29ybA==", "DeviceTelemetryToTwinFunc=aGk=",
        ])
        #expect(keys.hostKeys == ["aGVsbG8gd29ybGQ=", "aGVsbG8gd29ybA=="])
        #expect(keys.functionKeys == [.ingest: ["aGk="]])
    }

    @Test func unusableKeysAreRefused() {
        #expect(throws: FunctionKeyError.self) { try FunctionKeys(arguments: [""]) }
        #expect(throws: FunctionKeyError.self) { try FunctionKeys(arguments: ["DpsAdtAllocationFunc="]) }
        #expect(throws: FunctionKeyError.self) { try FunctionKeys(arguments: ["two words"]) }
        #expect(throws: FunctionKeyError.self) { try FunctionKeys(arguments: ["tab\tkey"]) }
        // A typo in the function name must not silently become a host key.
        #expect(throws: FunctionKeyError.self) { try FunctionKeys(arguments: ["DpsAllocationFunc=abc"]) }
    }

    @Test func theHeaderWinsOverTheQueryAndEmptyCountsAsNone() {
        #expect(FunctionKeys.presented(header: "h", query: "q") == "h")
        #expect(FunctionKeys.presented(header: nil, query: "q") == "q")
        #expect(FunctionKeys.presented(header: "", query: "q") == "q")
        #expect(FunctionKeys.presented(header: nil, query: "") == nil)
    }

    @Test func descriptionsNeverShowKeys() throws {
        let keys = try FunctionKeys(arguments: ["secret-host-key", "DeviceTelemetryToTwinFunc=secret-ingest-key"])
        #expect(keys.description == "FunctionKeys(host: 1, DeviceTelemetryToTwinFunc: 1)")
        var dumped = ""
        dump(keys, to: &dumped)
        #expect(!dumped.contains("secret"))
        #expect(!"\(FunctionsHostConfiguration(keys: keys))".contains("secret"))
    }

    @Test func noKeysOnlyOnLoopback() throws {
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1"] {
            try FunctionsHostConfiguration(host: host).validate()
        }
        for host in ["0.0.0.0", "::", "192.168.1.10", "example.com"] {
            let configuration = FunctionsHostConfiguration(host: host)
            #expect(throws: FunctionsHostConfigurationError.self) { try configuration.validate() }
            do {
                try configuration.validate()
            } catch {
                #expect(error.code == .keysRequired)
                #expect(error.description.contains("\(host):7071"))
            }
            // With a key, or the explicit opt-out, it serves.
            try FunctionsHostConfiguration(host: host, keys: FunctionKeys(hostKeys: ["k"])).validate()
            try FunctionsHostConfiguration(host: host, allowAnonymousOnAnyAddress: true).validate()
        }
    }

    @Test func buildingTheApplicationValidates() {
        #expect(throws: FunctionsHostConfigurationError.self) {
            _ = try buildFunctionsApplication(
                configuration: FunctionsHostConfiguration(host: "0.0.0.0"), service: Unreachable.service,
                logger: Unreachable.logger)
        }
    }

    @Test func portAndBodyLimitAreChecked() {
        #expect(throws: FunctionsHostConfigurationError.self) { try FunctionsHostConfiguration(port: 70000).validate() }
        #expect(throws: FunctionsHostConfigurationError.self) {
            try FunctionsHostConfiguration(maxBodyBytes: 0).validate()
        }
    }
}
