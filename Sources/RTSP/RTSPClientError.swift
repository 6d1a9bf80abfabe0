/// Why an RTSP session ended, in words an operator understands.
///
/// `kind` lets code react (retry, give up, show a password prompt); `message` is what the camera
/// status shows. Messages never contain credentials.
public struct RTSPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case unreachable, unauthorized, notFound, badStatus, malformed, closed, timeout
        case unsupported, missingParameters, tooManyRedirects
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
