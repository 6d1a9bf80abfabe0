/// An RTSP/1.0 request or response (RFC 2326): a start line, headers and an optional body.
///
/// Header names are compared case-insensitively; order and repeats are kept as sent.
public struct RTSPMessage: Sendable, Equatable {
    public enum StartLine: Sendable, Equatable {
        case request(method: String, uri: String)
        case response(status: Int, reason: String)
    }

    public var startLine: StartLine
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(startLine: StartLine, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    public static func request(_ method: String, _ uri: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) -> RTSPMessage {
        RTSPMessage(startLine: .request(method: method, uri: uri), headers: headers, body: body)
    }

    public static func response(_ status: Int, _ reason: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) -> RTSPMessage {
        RTSPMessage(startLine: .response(status: status, reason: reason), headers: headers, body: body)
    }

    /// The first value of a header, matched case-insensitively.
    public subscript(header name: String) -> String? {
        let lower = name.lowercased()
        return headers.first(where: { $0.name.lowercased() == lower })?.value
    }

    public func values(of name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    public var status: Int? {
        if case .response(let status, _) = startLine { return status }
        return nil
    }

    public var cseq: Int? { self[header: "CSeq"].flatMap { Int($0.trimmingSpaces()) } }

    /// The message as bytes on the wire, with `Content-Length` set from the body.
    public func serialized() -> [UInt8] {
        var text: String
        switch startLine {
        case .request(let method, let uri): text = "\(method) \(uri) RTSP/1.0\r\n"
        case .response(let status, let reason): text = "RTSP/1.0 \(status) \(reason)\r\n"
        }
        for (name, value) in headers where name.lowercased() != "content-length" {
            text += "\(name): \(value)\r\n"
        }
        if !body.isEmpty { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }

    public static func == (lhs: RTSPMessage, rhs: RTSPMessage) -> Bool {
        lhs.startLine == rhs.startLine && lhs.body == rhs.body && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s.removeLast() }
        return String(s)
    }
}
