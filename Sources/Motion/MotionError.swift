/// An error of the motion pipeline that names what was wrong: the field of a configuration
/// ("zones[2].polygon[1].x") or the packet of a stream ("access unit 1234 at 90 kHz time 111060").
///
/// A struct over a private code, so that new kinds of failure can be added without breaking callers.
public struct MotionError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable { case invalidConfiguration, decoder, encoder }

    let code: Code
    /// The configuration field or the packet the error is about.
    public let subject: String
    /// What is wrong with it, in words.
    public let reason: String

    public var description: String { "\(subject): \(reason)" }

    /// A configuration value (zone, schedule, settings) that cannot be used.
    public static func invalid(_ field: String, _ reason: String) -> MotionError {
        MotionError(code: .invalidConfiguration, subject: field, reason: reason)
    }

    /// A packet the decoder rejected, or a decoder that could not be set up.
    public static func decoder(_ subject: String, _ reason: String) -> MotionError {
        MotionError(code: .decoder, subject: subject, reason: reason)
    }

    /// A thumbnail that could not be encoded.
    public static func encoder(_ subject: String, _ reason: String) -> MotionError {
        MotionError(code: .encoder, subject: subject, reason: reason)
    }

    public var isInvalidConfiguration: Bool { code == .invalidConfiguration }
    public var isDecoderError: Bool { code == .decoder }
}
