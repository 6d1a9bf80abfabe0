import Foundation

/// The catalogue's unit of wall time: microseconds since the Unix epoch (docs/time.md).
public enum CatalogClock {
    public static func nowMicros() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}
