import Crypto
import Testing

@testable import AulaSecurity

/// Requests between nodes: only a node holding the cluster's `secrets.key` signs a request that
/// another node accepts, and only that request, at about that time.
@Suite struct PeerSignatureTests {
    static func pair() throws -> (PeerSignature, PeerSignature) {
        let key = SymmetricKey(size: .bits256)
        return (PeerSignature(secrets: SecretBox(key: key)), PeerSignature(secrets: SecretBox(key: key)))
    }

    func check(_ verifier: PeerSignature, _ headers: [(String, String)], method: String = "GET", target: String, now: Int64) -> Result<String, PeerSignature.Refusal> {
        let h = Dictionary(headers, uniquingKeysWith: { a, _ in a })
        return verifier.verify(node: h[PeerSignature.nodeHeader], time: h[PeerSignature.timeHeader], signature: h[PeerSignature.signatureHeader],
                               method: method, target: target, now: now)
    }

    @Test func aNodeWithTheSameKeyIsAcceptedWithinTheWindow() throws {
        let (signer, verifier) = try Self.pair()
        let target = "/api/peer/cameras/1/recordings/2?offset=0&length=10"
        let headers = signer.headers(node: "a", method: "GET", target: target, time: 1_000)
        #expect(try check(verifier, headers, target: target, now: 1_000).get() == "a")
        #expect(try check(verifier, headers, target: target, now: 1_000 + PeerSignature.window).get() == "a")
        guard case .failure(.outOfWindow) = check(verifier, headers, target: target, now: 1_000 + PeerSignature.window + 1) else {
            Issue.record("a signature older than the window was accepted"); return
        }
        guard case .failure(.outOfWindow) = check(verifier, headers, target: target, now: 1_000 - PeerSignature.window - 1) else {
            Issue.record("a signature from the future was accepted"); return
        }
    }

    @Test func anotherKeyAnotherRequestOrAnotherNodeIsRefused() throws {
        let (signer, verifier) = try Self.pair()
        let stranger = PeerSignature(secrets: SecretBox(key: SymmetricKey(size: .bits256)))
        let target = "/api/peer/cameras/1/recordings/2?offset=0&length=10"
        let forged = stranger.headers(node: "a", method: "GET", target: target, time: 1_000)
        guard case .failure(.wrongSignature) = check(verifier, forged, target: target, now: 1_000) else { Issue.record("another cluster's key was accepted"); return }
        let headers = signer.headers(node: "a", method: "GET", target: target, time: 1_000)
        for (method, other) in [("GET", "/api/peer/cameras/1/recordings/2?offset=0&length=11"), ("GET", "/api/peer/cameras/3/recordings/2?offset=0&length=10"),
                                ("DELETE", target)] {
            guard case .failure(.wrongSignature) = check(verifier, headers, method: method, target: other, now: 1_000) else {
                Issue.record("a signature for another request was accepted: \(method) \(other)"); return
            }
        }
        var renamed = headers
        renamed[0].1 = "b"
        guard case .failure(.wrongSignature) = check(verifier, renamed, target: target, now: 1_000) else { Issue.record("a signature for another node was accepted"); return }
        guard case .failure(.missing) = check(verifier, [], target: target, now: 1_000) else { Issue.record("an unsigned request was accepted"); return }
        var badTime = headers
        badTime[1].1 = "1e3"
        guard case .failure(.badTime) = check(verifier, badTime, target: target, now: 1_000) else { Issue.record("a time that is no number was accepted"); return }
    }

    @Test func theKeyIsDerivedNotTheSecretBoxKeyItself() throws {
        let key = SymmetricKey(size: .bits256)
        let derived = PeerSignature(secrets: SecretBox(key: key))
        let raw = PeerSignature(key: key)
        let h = derived.headers(node: "a", method: "GET", target: "/x", time: 5)
        guard case .failure(.wrongSignature) = check(raw, h, target: "/x", now: 5) else {
            Issue.record("requests are signed with the key that seals camera passwords"); return
        }
    }
}
