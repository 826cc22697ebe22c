import Foundation
import HTTPTransport
import Logging
import TwinStore

/// Where an import job may read its input and write its log: `http://` and `https://` URLs
/// (an Azure Blob URL with a SAS, or any other server), and `file://` paths only inside the
/// directory the operator names (`twins serve --import-dir`), never elsewhere.
public struct JobInputPolicy: Sendable {
    /// The directory `file://` locations must lie in (symbolic links resolved), or `nil` to
    /// refuse every `file://` location.
    public var importDirectory: String?

    /// A policy; `importDirectory` is resolved to its real path.
    public init(importDirectory: String? = nil) {
        self.importDirectory = importDirectory.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }

    /// A place a job reads or writes.
    public enum Location: Sendable, Equatable {
        /// A local file (inside the import directory).
        case file(String)
        /// An HTTP(S) URL, used as an Azure Blob URL for the log.
        case url(String)
    }

    /// The location a job URI names, or `InvalidArgument` as ADT words an invalid blob URI.
    public func location(_ uri: String) throws -> Location {
        let lower = uri.lowercased()
        if lower.hasPrefix("file://") {
            guard let url = URL(string: uri), url.isFileURL, !url.path.isEmpty else { throw Self.invalid(uri) }
            guard let importDirectory else {
                throw ServiceError(
                    "InvalidArgument",
                    "The URI '\(uri)' names a local file, and this gateway has no import directory (twins serve --import-dir)."
                )
            }
            // The directory's real path (the file itself may not exist yet: an output log).
            let standardized = url.standardizedFileURL
            let directory = standardized.deletingLastPathComponent().resolvingSymlinksInPath().path
            let path = directory + "/" + standardized.lastPathComponent
            guard directory == importDirectory || directory.hasPrefix(importDirectory + "/") else {
                throw ServiceError(
                    "InvalidArgument",
                    "The URI '\(uri)' is outside the import directory; file:// locations must be inside \(importDirectory)."
                )
            }
            return .file(path)
        }
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), let url = URL(string: uri), url.host != nil
        else { throw Self.invalid(uri) }
        return .url(uri)
    }

    static func invalid(_ uri: String) -> ServiceError {
        ServiceError(
            "InvalidArgument",
            "Azure Storage Blob URI '\(uri)' failed validation. Invalid URI: The format of the URI could not be determined. Please check: https://docs.microsoft.com/en-us/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata"
        )
    }
}

/// A job that cannot go on: its error as the job record reports it.
struct JobFailure: Error, CustomStringConvertible {
    var code: String
    var message: String
    var description: String { "\(code): \(message)" }
}

/// Reads an import job's input: a local file as it is, a URL downloaded to a temporary file
/// first (streamed to disk, so memory stays flat whatever its size; a resumed job downloads it
/// again and skips the lines it applied).
struct JobInput {
    let transport: any Transport

    /// The local path of the input, and whether it is a temporary copy to remove afterwards.
    func fetch(_ location: JobInputPolicy.Location) async throws -> (path: String, temporary: Bool) {
        switch location {
        case .file(let path):
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw JobFailure(code: "InputBlobNotFound", message: "The input file \(path) cannot be read.")
            }
            return (path, false)
        case .url(let url):
            let path = NSTemporaryDirectory() + "twins-import-\(UUID().uuidString).ndjson"
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let handle = FileHandle(forWritingAtPath: path)
            else { throw JobFailure(code: "InternalServerError", message: "No temporary file for the input.") }
            let sink = ChunkSink(handle: handle)
            var request = TransportRequest(method: .get, url: url, timeout: .seconds(6 * 3600))
            request.bodyChunks = { sink.write($0) }
            let response: TransportResponse
            do {
                response = try await transport.send(request)
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: path)
                throw JobFailure(code: "InputBlobNotReadable", message: "The input blob could not be read: \(error).")
            }
            try? handle.close()
            guard response.isSuccess, sink.failure == nil else {
                try? FileManager.default.removeItem(atPath: path)
                let reason = sink.failure ?? "it answered \(response.status)"
                throw JobFailure(code: "InputBlobNotReadable", message: "The input blob could not be read: \(reason).")
            }
            return (path, true)
        }
    }
}

/// Writes downloaded chunks to a file (on the transport's thread, in order).
final class ChunkSink: @unchecked Sendable {
    let handle: FileHandle
    var failure: String?
    init(handle: FileHandle) { self.handle = handle }
    func write(_ bytes: [UInt8]) {
        guard failure == nil else { return }
        do { try handle.write(contentsOf: bytes) } catch { failure = "\(error)" }
    }
}

/// An import job's output log: an Azure append blob (`Put Blob` with `x-ms-blob-type:
/// AppendBlob`, then `Append Block` with `x-ms-blob-condition-appendpos`, so that a block
/// repeated after a crash is recognised rather than written twice) or a local file.
struct JobOutputLog {
    let location: JobInputPolicy.Location
    let transport: any Transport
    /// The Blob service version the requests speak.
    static let blobVersion = "2021-08-06"
    /// Azure's limit on one appended block (4 MiB in every service version).
    static let maxBlockBytes = 4 * 1024 * 1024

    /// Creates the log, empty (replacing any earlier one).
    func create() async throws {
        switch location {
        case .file(let path):
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw JobFailure(code: "OutputBlobNotWritable", message: "The output file \(path) cannot be written.")
            }
        case .url(let url):
            let response = try await send(
                TransportRequest(
                    method: .put, url: url,
                    headers: ["x-ms-blob-type": "AppendBlob", "x-ms-version": Self.blobVersion, "Content-Length": "0"],
                    body: []))
            guard response.isSuccess else { throw Self.refused("create", response) }
        }
    }

    /// Appends `bytes` where the log is `offset` bytes long. When the log is already longer by
    /// exactly these bytes (the append happened, its bookkeeping did not), nothing is written.
    func append(_ bytes: [UInt8], at offset: Int64) async throws {
        switch location {
        case .file(let path):
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw JobFailure(code: "OutputBlobNotWritable", message: "The output file \(path) cannot be written.")
            }
            defer { try? handle.close() }
            try handle.truncate(atOffset: UInt64(offset))
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: bytes)
        case .url(let url):
            var position = offset
            var start = 0
            while start < bytes.count {
                let end = min(start + Self.maxBlockBytes, bytes.count)
                let block = Array(bytes[start..<end])
                let separator = url.contains("?") ? "&" : "?"
                let response = try await send(
                    TransportRequest(
                        method: .put, url: url + separator + "comp=appendblock",
                        headers: [
                            "x-ms-version": Self.blobVersion, "x-ms-blob-condition-appendpos": String(position),
                            "Content-Type": "application/octet-stream",
                        ], body: block))
                if response.status == 412, try await length() == position + Int64(block.count) {
                    // Written before a crash: the log already holds this block.
                } else if !response.isSuccess {
                    throw Self.refused("append to", response)
                }
                position += Int64(block.count)
                start = end
            }
        }
    }

    /// The blob's length (`HEAD`).
    private func length() async throws -> Int64? {
        guard case .url(let url) = location else { return nil }
        let response = try await send(
            TransportRequest(method: .head, url: url, headers: ["x-ms-version": Self.blobVersion]))
        return response.headers["Content-Length"].flatMap { Int64($0) }
    }

    private func send(_ request: TransportRequest) async throws -> TransportResponse {
        do {
            return try await transport.send(request)
        } catch {
            throw JobFailure(code: "OutputBlobNotWritable", message: "The output blob could not be written: \(error).")
        }
    }

    static func refused(_ action: String, _ response: TransportResponse) -> JobFailure {
        let detail = String(decoding: response.body.prefix(300), as: UTF8.self)
        return JobFailure(
            code: "OutputBlobNotWritable",
            message: "The blob service refused to \(action) the output blob: HTTP \(response.status) \(detail)")
    }
}
