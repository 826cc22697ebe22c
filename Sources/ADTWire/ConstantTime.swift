/// Comparison of secrets (keys, client secrets) whose time does not reveal where they differ.
public enum ConstantTime {
    /// Whether `presented` equals `expected`, byte for byte, in a time that depends only on the
    /// presented value's length.
    public static func equal(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8)
        let b = Array(expected.utf8)
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in a.indices {
            difference |= a[index] ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
