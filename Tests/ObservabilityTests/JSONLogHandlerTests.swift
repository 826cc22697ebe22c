import ADTWire
import Foundation
import Logging
import Observability
import Testing

/// `--log-format json`: lines that parse, ids of the request being served, credentials redacted.
struct JSONLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func append(_ more: [UInt8]) { lock.withLock { bytes += more } }
        var objects: [JSONObject] {
            lock.withLock {
                String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
                    guard case .object(let object) = try! JSONParser.parse(String($0)) else {
                        fatalError("not an object")
                    }
                    return object
                }
            }
        }
    }

    func logger(_ lines: Lines) -> Logger {
        Logger(label: "test") { label in
            var handler = JSONLogHandler(label: label, metadataProvider: TraceMetadata.provider) { lines.append($0) }
            handler.logLevel = .debug
            return handler
        }
    }

    @Test func writesOneObjectPerLineWithTheRequestsIds() async {
        let lines = Lines()
        let log = logger(lines)
        let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        RequestTrace.$traceparent.withValue(parent) {
            log.info("in a request", metadata: ["route": "/digitaltwins/{id}", "count": "3"])
        }
        log.debug("outside\nwith \"quotes\"")
        let objects = lines.objects
        #expect(objects.count == 2)
        #expect(objects[0]["message"] == .string("in a request"))
        #expect(objects[0]["level"] == .string("info"))
        #expect(objects[0]["logger"] == .string("test"))
        #expect(objects[0]["trace_id"] == .string("0af7651916cd43dd8448eb211c80319c"))
        #expect(objects[0]["span_id"] == .string("b7ad6b7169203331"))
        #expect(objects[0]["route"] == .string("/digitaltwins/{id}"))
        #expect(objects[1]["message"] == .string("outside\nwith \"quotes\""))
        #expect(objects[1]["trace_id"] == nil)
        guard case .string(let time)? = objects[0]["time"] else { Issue.record("no time"); return }
        #expect(time.hasSuffix("Z") && time.count == 24)
    }

    @Test func redactsValuesNamedLikeCredentials() {
        let lines = Lines()
        logger(lines).warning(
            "call", metadata: ["Authorization": "Bearer abc", "clientSecret": "s3cr3t", "accessToken": "t", "id": "x"])
        let object = lines.objects[0]
        for key in ["Authorization", "clientSecret", "accessToken"] {
            #expect(object[key] == .string("[redacted]"))
        }
        #expect(object["id"] == .string("x"))
    }
}
