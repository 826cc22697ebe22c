import ADTWire
import Foundation
import Testing

@Suite struct EncodingTests {
    /// Base64url against Foundation's base64 with the two symbols swapped and padding dropped,
    /// for every length up to 3 blocks and every byte value.
    @Test func base64URLRoundTripsAgainstFoundation() throws {
        for length in 0...12 {
            for seed in 0..<32 {
                let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 97 + seed * 31 + length) }
                let expected = Data(bytes).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
                #expect(Base64URL.encode(bytes) == expected)
                #expect(Base64URL.decode(expected) == bytes)
                #expect(Base64URL.decode(Data(bytes).base64EncodedString()) == bytes)
            }
        }
        #expect(Base64URL.encode(Array(0...255)).count == 342)
        #expect(Base64URL.decode(Base64URL.encode(Array(0...255))) == Array(0...255))
    }

    @Test func base64URLRefusesWhatIsNotBase64() {
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("ab*d") == nil)
        #expect(Base64URL.decode("ab d") == nil)
        #expect(Base64URL.decode("") == [])
    }

    @Test func constantTimeComparison() {
        #expect(ConstantTime.equal("secret", "secret"))
        #expect(!ConstantTime.equal("secret", "secreT"))
        #expect(!ConstantTime.equal("secret", "secret!"))
        #expect(!ConstantTime.equal("secret!", "secret"))
        #expect(!ConstantTime.equal("", "x"))
        #expect(ConstantTime.equal("", ""))
    }

    @Test func durationInSecondsAndMilliseconds() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.seconds(2).milliseconds == 2000)
        #expect(Duration.nanoseconds(1).milliseconds == 1)
        #expect(Duration.zero.milliseconds == 1)
    }

    @Test func errorCodesCarryADTsStatuses() {
        #expect(ADTErrorCode.digitalTwinNotFound.httpStatus == 404)
        #expect(ADTErrorCode.modelReferencesNotDeleted.httpStatus == 409)
        #expect(ADTErrorCode.preconditionFailed.httpStatus == 412)
        #expect(ADTErrorCode("SomethingNew").httpStatus == 400)
        #expect(ADTErrorCode.generic(forStatus: 503) == .serviceUnavailable)
        #expect(ADTErrorCode.generic(forStatus: 418).rawValue == "HTTP418")
    }
}
