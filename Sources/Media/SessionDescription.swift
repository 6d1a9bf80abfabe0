/// A session description (SDP, RFC 4566) as cameras send it in RTSP DESCRIBE responses.
///
/// Parsing is lenient where cameras are sloppy (unknown lines, missing `v=`/`o=`/`t=`, bad
/// Base64) and strict only where Aula would otherwise guess (a malformed `m=` line or `a=rtpmap`).
public struct SessionDescription: Sendable, Equatable {
    /// `s=`; "-" if absent.
    public var sessionName: String
    /// Session-level `a=control`, often "*" or the absolute URL of the presentation.
    public var sessionControl: String?
    /// Other session-level attribute lines, without `a=` (e.g. "range:npt=now-").
    public var sessionAttributes: [String]
    public var media: [MediaDescription]

    public init(sessionName: String = "Aula", sessionControl: String? = nil, sessionAttributes: [String] = [], media: [MediaDescription]) {
        self.sessionName = sessionName
        self.sessionControl = sessionControl
        self.sessionAttributes = sessionAttributes
        self.media = media
    }

    /// Parses SDP text with CRLF or LF line ends.
    ///
    /// - Throws: ``MediaError`` naming the line number, e.g. "SDP line 7: a=rtpmap missing clock rate".
    public init(parsing text: String) throws(MediaError) {
        sessionName = "-"
        sessionControl = nil
        sessionAttributes = []
        media = []
        var builder: MediaBuilder?
        var lineNumber = 0
        // Split on LF bytes: "\r\n" is a single Character in Swift, and bytes are much faster.
        for lineBytes in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(lineBytes)
            if line.utf8.last == UInt8(ascii: "\r") { line = Substring(line.utf8.dropLast()) }
            // Leading blanks are tolerated; trailing ones may belong to a value.
            let bytes = line.utf8.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            // Anything not of the form "<letter>=" is ignored: cameras append junk.
            guard bytes.count >= 2, bytes.dropFirst().first == UInt8(ascii: "="), let kind = bytes.first else { continue }
            let value = Substring(bytes.dropFirst(2))
            switch kind {
            case UInt8(ascii: "s") where builder == nil:
                sessionName = String(value)
            case UInt8(ascii: "m"):
                if let builder { media.append(builder.build()) }
                builder = try MediaBuilder(mLine: value, lineNumber: lineNumber)
            case UInt8(ascii: "a"):
                if builder != nil {
                    try builder?.add(attribute: value, lineNumber: lineNumber)
                } else if let control = Self.attributeValue(value, name: "control") {
                    sessionControl = control
                } else {
                    sessionAttributes.append(String(value))
                }
            default:
                break
            }
        }
        if let builder { media.append(builder.build()) }
    }

    /// The value of attribute `name` in `value` ("control:rtsp://..." → "rtsp://..."), or nil.
    static func attributeValue(_ value: Substring, name: String) -> String? {
        guard let colon = value.firstIndex(of: ":"),
              value[..<colon].lowercased() == name else { return nil }
        return String(value[value.index(after: colon)...].trimmingSpaces())
    }

    /// Renders SDP for an RTSP DESCRIBE response: `v=`, `o=`, `s=`, `c=`, `t=`, session attributes,
    /// then each medium's `m=`, `a=rtpmap`, `a=fmtp` (keys sorted), `a=control` and its other attributes.
    /// Lines end in CRLF.
    public func rendered() -> String {
        var lines = [
            "v=0",
            "o=- 0 0 IN IP4 127.0.0.1",
            "s=\(sessionName.isEmpty ? "-" : sessionName)",
            "c=IN IP4 0.0.0.0",
            "t=0 0",
        ]
        if let sessionControl { lines.append("a=control:\(sessionControl)") }
        lines += sessionAttributes.map { "a=\($0)" }
        for medium in media {
            lines.append("m=\(medium.mediaType) \(medium.port) \(medium.proto) \(medium.payloadType)")
            if !medium.encodingName.isEmpty {
                lines.append("a=rtpmap:\(medium.payloadType) \(medium.encodingName)/\(medium.clockRate)")
            }
            if !medium.formatParameters.isEmpty {
                let parameters = medium.formatParameters.sorted { $0.key < $1.key }
                    .map { $0.value.isEmpty ? $0.key : "\($0.key)=\($0.value)" }
                lines.append("a=fmtp:\(medium.payloadType) \(parameters.joined(separator: ";"))")
            }
            if let control = medium.control { lines.append("a=control:\(control)") }
            lines += medium.attributes.map { "a=\($0)" }
        }
        return lines.map { $0 + "\r\n" }.joined()
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        let bytes = Substring(self).utf8
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return Substring(bytes[first...last])
    }
}
