extension QRCode {
    /// The text does not fit: its UTF-8 bytes are more than the largest code at the requested
    /// level holds. Shorten it or lower the correction level.
    public struct TextTooLong: Error, Sendable, CustomStringConvertible {
        /// The text's length in UTF-8 bytes.
        public let byteCount: Int
        /// The most bytes that fit.
        public let limit: Int
        public let correction: Correction
        /// The version the limit belongs to (40 unless a version was fixed).
        public let version: Int

        public var description: String {
            "the text is \(byteCount) bytes in UTF-8, but a QR code of version \(version) at correction level "
                + "\(correction) holds at most \(limit)"
        }
    }
}
