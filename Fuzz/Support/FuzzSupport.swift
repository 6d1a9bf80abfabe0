// Shared by every fuzz target (compiled into each one; see scripts/fuzz.sh).

/// The input libFuzzer hands to `LLVMFuzzerTestOneInput`, as an array.
func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run with a message when a property the parsers promise does not hold. libFuzzer
/// treats the trap like any other crash and saves the input that caused it.
func fuzzRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                 file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("fuzz property violated: \(message())", file: file, line: line) }
}

/// Reads structured values off the front of a fuzz input; past the end it yields zeros and empty
/// arrays, so a target never has to reject an input for being short.
struct FuzzCursor {
    private let bytes: [UInt8]
    private(set) var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }
    var remaining: Int { bytes.count - index }

    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func uint16() -> UInt16 {
        let high = UInt16(byte() ?? 0), low = UInt16(byte() ?? 0)
        return high << 8 | low
    }

    /// Up to `count` bytes (fewer at the end of the input).
    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + max(0, count))
        defer { index = end }
        return Array(bytes[index..<end])
    }

    /// Everything not read yet.
    mutating func rest() -> [UInt8] { take(remaining) }
}
