extension Duration {
    /// The duration in seconds as a `Double` (for SQL intervals, logs and back-off arithmetic).
    public var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) / 1e18
    }

    /// Whole milliseconds, rounded up so that a tiny positive duration is not "no timeout" (0);
    /// at least 1.
    public var milliseconds: Int {
        let (whole, atto) = components
        let ms = whole * 1000 + (atto + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(clamping: max(ms, 1))
    }
}
