import Crypto
import Foundation

/// Random bearer secrets (session ids, API tokens, CSRF tokens) and the digests stored for them.
///
/// Only the SHA-256 of a session or API token is stored, so that a leaked database does not let
/// anyone sign in. A plain hash (not bcrypt) is enough: the tokens carry 256 random bits, so there
/// is nothing to guess.
public enum SecretToken {
    /// 32 random bytes, base64url without padding, after a readable prefix (`aula_` for API tokens).
    public static func generate(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
        return prefix + base64URL(bytes)
    }

    public static func digest(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }

    public static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Compares without stopping at the first difference, so timing tells nothing about a guess.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
