import Foundation

/// The parts of an `rtsp://` URL that Aula cares about, parsed without Foundation so that
/// the rules are the same everywhere (API validation, the RTSP client, logs).
public struct RTSPURL: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var path: String
    public var username: String?
    public var password: String?

    /// Parses `rtsp://[user[:pass]@]host[:port][/path]`. IPv6 hosts are written in brackets.
    public init?(_ text: String) {
        guard let schemeEnd = text.range(of: "://") else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "rtsp" || scheme == "rtsps" else { return nil }
        self.scheme = scheme
        var rest = text[schemeEnd.upperBound...]
        let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<pathStart]
        rest = rest[pathStart...]
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = String(userInfo[..<colon]).percentDecoded
                password = String(userInfo[userInfo.index(after: colon)...]).percentDecoded
            } else {
                username = String(userInfo).percentDecoded
            }
        }
        var hostPart = authority
        var portPart: Substring? = nil
        if hostPart.first == "[" {
            guard let close = hostPart.firstIndex(of: "]") else { return nil }
            let after = hostPart[hostPart.index(after: close)...]
            if after.first == ":" { portPart = after.dropFirst() } else if !after.isEmpty { return nil }
            hostPart = hostPart[...close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty, !hostPart.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        host = String(hostPart)
        if let portPart {
            guard let p = Int(portPart), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            port = scheme == "rtsps" ? 322 : 554
        }
        path = rest.isEmpty ? "/" : String(rest)
    }

    /// Why a string is not an acceptable camera URL, or nil when it is.
    public static func problem(_ text: String) -> String? {
        if text.isEmpty { return "must not be empty" }
        if text.count > 2000 { return "must be at most 2000 characters" }
        if text.contains(where: { $0.isWhitespace || $0.isNewline }) { return "must not contain spaces or line breaks" }
        guard let lower = text.range(of: "://").map({ text[..<$0.lowerBound].lowercased() }), lower == "rtsp" || lower == "rtsps" else {
            return "must start with rtsp://"
        }
        if RTSPURL(text) == nil { return "is not a valid rtsp://host[:port]/path URL" }
        return nil
    }

    /// The URL without credentials: safe to log and to return from the API.
    public var withoutCredentials: String {
        let hostPort = port == (scheme == "rtsps" ? 322 : 554) ? host : "\(host):\(port)"
        return "\(scheme)://\(hostPort)\(path)"
    }

    /// Names of query parameters that carry credentials in some cameras' URLs
    /// (`/cam/realmonitor?channel=1&user=admin&password=…`).
    static let credentialParameters: Set<String> = ["user", "username", "usr", "name", "login", "password", "pass", "passwd", "pwd", "psw", "auth", "token", "key", "secret"]

    /// `text` with the values of credential-like query parameters replaced by `***`.
    public static func redactingQueryCredentials(_ text: String) -> String {
        guard let q = text.firstIndex(of: "?") else { return text }
        let query = text[text.index(after: q)...].split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
            let name = pair[..<eq].lowercased()
            return credentialParameters.contains(name) ? pair[..<eq] + "=***" : String(pair)
        }
        return text[..<q] + "?" + query.joined(separator: "&")
    }

    /// `host:port`, as an operator would type it.
    public var endpoint: String { "\(host):\(port)" }

    public var description: String { withoutCredentials }
}

extension String {
    var percentDecoded: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var it = utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%"), let h = it.next(), let l = it.next(), let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) {
                bytes.append(v)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
