import Crypto
import Media

/// A parsed `WWW-Authenticate` challenge (RFC 2617 / RFC 7616, as cameras use them).
public struct AuthChallenge: Sendable, Equatable {
    public enum Scheme: String, Sendable { case basic = "Basic", digest = "Digest" }
    public var scheme: Scheme
    public var parameters: [String: String]

    public var realm: String { parameters["realm"] ?? "" }

    /// Parses one header value; returns nil for schemes Aula does not speak.
    public init?(header: String) {
        let trimmed = header.trimmingSpaces()
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        switch trimmed[..<space].lowercased() {
        case "basic": scheme = .basic
        case "digest": scheme = .digest
        default: return nil
        }
        parameters = Self.parseParameters(trimmed[space...])
    }

    /// Parses `key=value, key="quoted, value"` lists.
    static func parseParameters(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var i = text.startIndex
        func skip(_ set: Set<Character>) { while i < text.endIndex, set.contains(text[i]) { i = text.index(after: i) } }
        while i < text.endIndex {
            skip([" ", ",", "\t"])
            let keyStart = i
            while i < text.endIndex, text[i] != "=", text[i] != "," { i = text.index(after: i) }
            let key = text[keyStart..<i].trimmingSpaces().lowercased()
            guard i < text.endIndex, text[i] == "=" else { continue }
            i = text.index(after: i)
            skip([" "])
            var value = ""
            if i < text.endIndex, text[i] == "\"" {
                i = text.index(after: i)
                while i < text.endIndex, text[i] != "\"" {
                    if text[i] == "\\", text.index(after: i) < text.endIndex { i = text.index(after: i) }
                    value.append(text[i])
                    i = text.index(after: i)
                }
                if i < text.endIndex { i = text.index(after: i) }
            } else {
                let start = i
                while i < text.endIndex, text[i] != "," { i = text.index(after: i) }
                value = text[start..<i].trimmingSpaces()
            }
            if !key.isEmpty { result[key] = value }
        }
        return result
    }
}

/// Computes `Authorization` header values for Basic and Digest (MD5) authentication.
public struct Credentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The `Authorization` value answering `challenge` for a request.
    /// - Parameters:
    ///   - nonceCount: how many times this nonce was used, starting at 1 (only with `qop=auth`).
    ///   - cnonce: the client nonce (only with `qop=auth`).
    public func authorization(for challenge: AuthChallenge, method: String, uri: String, nonceCount: Int = 1, cnonce: String = "0a4f113b") -> String {
        switch challenge.scheme {
        case .basic:
            return "Basic " + Base64.encode(Array("\(username):\(password)".utf8))
        case .digest:
            let realm = challenge.realm
            let nonce = challenge.parameters["nonce"] ?? ""
            let ha1 = md5Hex("\(username):\(realm):\(password)")
            let ha2 = md5Hex("\(method):\(uri)")
            let qops = (challenge.parameters["qop"] ?? "").split(separator: ",").map { $0.trimmingSpaces() }
            var header = "Digest username=\"\(username)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(uri)\""
            if qops.contains("auth") {
                let nc = String(nonceCount, radix: 16).leftPadded(to: 8)
                let response = md5Hex("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
                header += ", qop=auth, nc=\(nc), cnonce=\"\(cnonce)\", response=\"\(response)\""
            } else {
                header += ", response=\"\(md5Hex("\(ha1):\(nonce):\(ha2)"))\""
            }
            if let opaque = challenge.parameters["opaque"] { header += ", opaque=\"\(opaque)\"" }
            if challenge.parameters["algorithm"] != nil { header += ", algorithm=MD5" }
            return header
        }
    }

    /// Checks a Digest `Authorization` header sent by a client (used by Aula's own RTSP server).
    public static func verifyDigest(header: String, method: String, realm: String, nonce: String, username: String, password: String) -> Bool {
        guard header.lowercased().hasPrefix("digest ") else { return false }
        let p = AuthChallenge.parseParameters(header.dropFirst(7)[...])
        guard p["username"] == username, p["realm"] == realm, p["nonce"] == nonce, let uri = p["uri"], let response = p["response"] else { return false }
        let ha1 = md5Hex("\(username):\(realm):\(password)")
        let ha2 = md5Hex("\(method):\(uri)")
        let expected: String
        if p["qop"] == "auth", let nc = p["nc"], let cnonce = p["cnonce"] {
            expected = md5Hex("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
        } else {
            expected = md5Hex("\(ha1):\(nonce):\(ha2)")
        }
        return expected == response.lowercased()
    }
}

func md5Hex(_ text: String) -> String {
    Insecure.MD5.hash(data: Array(text.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
