import Crypto
import Foundation

/// How nodes of one cluster prove to each other that a request comes from a node (docs/cluster.md,
/// "Any node serves everything"): an HMAC-SHA256 over the node's name, the time and the request
/// line, keyed with a key derived (HKDF) from the `secrets.key` every node of the cluster already
/// shares. No user credential crosses between nodes, and nothing new has to be distributed.
///
/// A signature holds for ``window`` either side of the receiver's clock; within it a captured
/// request could be replayed, and it only ever reads footage the signer could read anyway.
public struct PeerSignature: Sendable {
    public static let nodeHeader = "Aula-Node"
    public static let timeHeader = "Aula-Node-Time"
    public static let signatureHeader = "Aula-Node-Signature"
    /// How far a signature's time may be from the receiver's clock, in seconds.
    public static let window: Int64 = 30

    let key: SymmetricKey

    /// The key derived from the secret box's key: the same on every node with the same `secrets.key`.
    public init(secrets: SecretBox) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: secrets.key, info: Data("aula node-to-node v1".utf8), outputByteCount: 32)
    }

    public init(key: SymmetricKey) { self.key = key }

    /// The headers that sign `method` and `target` (path and query, as sent) for node `node` at `time`.
    public func headers(node: String, method: String, target: String, time: Int64 = Int64(Date().timeIntervalSince1970)) -> [(String, String)] {
        [(Self.nodeHeader, node), (Self.timeHeader, String(time)), (Self.signatureHeader, signature(node: node, time: time, method: method, target: target))]
    }

    /// The signing node's name when the headers sign this request within the window; else why not.
    public func verify(node: String?, time: String?, signature: String?, method: String, target: String,
                       now: Int64 = Int64(Date().timeIntervalSince1970)) -> Result<String, Refusal> {
        guard let node, !node.isEmpty, let time, let signature else { return .failure(.missing) }
        guard let t = Int64(time) else { return .failure(.badTime) }
        guard t >= now - Self.window, t <= now + Self.window else { return .failure(.outOfWindow) }
        let expected = self.signature(node: node, time: t, method: method, target: target)
        guard SecretToken.constantTimeEqual(expected, signature) else { return .failure(.wrongSignature) }
        return .success(node)
    }

    public enum Refusal: Error, Sendable, CustomStringConvertible {
        case missing, badTime, outOfWindow, wrongSignature
        public var description: String {
            switch self {
            case .missing: "not signed by a node (\(PeerSignature.nodeHeader), \(PeerSignature.timeHeader) and \(PeerSignature.signatureHeader) are required)"
            case .badTime: "\(PeerSignature.timeHeader) is not a number of seconds"
            case .outOfWindow: "\(PeerSignature.timeHeader) is more than \(PeerSignature.window) s from this node's clock"
            case .wrongSignature: "the signature does not match: the node does not share this cluster's secrets.key"
            }
        }
    }

    func signature(node: String, time: Int64, method: String, target: String) -> String {
        let message = "aula-peer-v1\n\(node)\n\(time)\n\(method.uppercased())\n\(target)"
        return SecretToken.hex(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }
}
