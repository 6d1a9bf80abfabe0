extension Array where Element == UInt8 {
    /// Appends `value` in network byte order.
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends `value` in network byte order.
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a 16-bit length prefix and then `bytes` (the form used by STAP-A, AP, avcC and hvcC).
    /// Callers keep `bytes` shorter than 64 KiB.
    mutating func appendLengthPrefixed(_ bytes: some Collection<UInt8>) {
        appendBigEndian(UInt16(truncatingIfNeeded: bytes.count))
        append(contentsOf: bytes)
    }
}
