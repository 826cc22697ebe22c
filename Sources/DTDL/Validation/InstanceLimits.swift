/// Size limits on twins and relationships, in UTF-8 bytes. The defaults are ADT's published
/// limits (concepts-service-limits, 2025): none of them is adjustable there.
public struct InstanceLimits: Sendable, Hashable {
    /// The largest JSON body of a twin or relationship PUT or PATCH (ADT: 32 KB).
    public var maxBodyBytes: Int
    /// The largest string value (ADT: 4 KB, UTF-8).
    public var maxStringBytes: Int
    /// The largest property name (ADT: 1 KB). Also applied to map keys, which are stored and
    /// queried like property names.
    public var maxPropertyNameBytes: Int

    /// Custom limits.
    public init(maxBodyBytes: Int, maxStringBytes: Int, maxPropertyNameBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxStringBytes = maxStringBytes
        self.maxPropertyNameBytes = maxPropertyNameBytes
    }

    /// ADT's limits: 32 KB bodies, 4 KB strings, 1 KB names (KB read as 1024 bytes).
    public static let adt = InstanceLimits(
        maxBodyBytes: 32 * 1024, maxStringBytes: 4 * 1024, maxPropertyNameBytes: 1024)

    /// Checks the size of a request body as received, before parsing; the gateway measures the
    /// bytes, since re-encoding a parsed value would give a different size.
    ///
    /// - Throws: `DTDLError(.validationFailed)` when `byteCount` exceeds `maxBodyBytes`. ADT's
    ///   exact code for an oversized body is not documented; ValidationFailed is its generic
    ///   answer to a twin it refuses.
    public func checkBodySize(_ byteCount: Int) throws(DTDLError) {
        guard byteCount <= maxBodyBytes else {
            throw DTDLError(
                .validationFailed,
                "The request body has \(byteCount) bytes, over the limit of \(maxBodyBytes) bytes for a twin or relationship."
            )
        }
    }
}
