/// An error from parsing or assembling media data.
///
/// The message names the packet, line or field at fault, for example
/// `RTP packet 1234: header extension length 40 exceeds packet size 30` or
/// `SDP line 7: a=rtpmap missing clock rate`, so it can be shown to an operator as is.
public struct MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A human-readable explanation naming what was wrong and where.
    public var message: String

    /// Creates an error with the given message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
