import Catalog
import CatalogPostgres
import Foundation
import Logging
import Synchronization
import Testing
import TestPeers
import WSClient

@testable import App
@testable import Server

/// Guards on a cluster (docs/cluster.md, docs/guards.md): an offer made on one node reaches the
/// guard's phone whose duty stream is open on another node at once, not at the phone's next poll.
@Suite(.serialized) struct GuardClusterTests {
    /// A phone's duty stream: reports one position, then keeps every incident message heard.
    final class Phone: Sendable {
        let heard = Mutex<[(state: String, id: Int, at: ContinuousClock.Instant)]>([])
        let onDuty = Mutex(false)

        func run(port: Int, token: String, latitude: Double, longitude: Double) async throws {
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/api/duty/stream",
                                              configuration: .init(additionalHeaders: [.authorization: "Bearer \(token)"]), logger: Logger(label: "phone")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"onDuty": true, "latitude": \#(latitude), "longitude": \#(longitude), "accuracy": 5}"#))
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message, let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                    if json["type"] as? String == "duty" { self.onDuty.withLock { $0 = true } }
                    if let incident = json["incident"] as? [String: Any] {
                        self.heard.withLock { $0.append((incident["state"] as? String ?? "", incident["id"] as? Int ?? 0, .now)) }
                    }
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(5))) func anOfferMadeOnOneNodeReachesAPhoneOnAnotherAtOnce() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DemoCommandTests.binary))
        let url = try await TestPostgres.freshSchemaURL()
        let (a, b) = (temporaryDirectory(), temporaryDirectory())
        for (name, role) in [("olga", "operator"), ("ivan", "guard")] {
            let added = try await SecurityCommandTests.aula(["users", "add", name, "--role", role, "--catalog", url, "--data", a], stdin: "long enough password\n")
            #expect(added.status == 0, "\(added.output)")
        }
        try FileManager.default.copyItem(atPath: a + "/secrets.key", toPath: b + "/secrets.key")
        func token(_ user: String) async throws -> String {
            try await SecurityCommandTests.aula(["token", "create", "--user", user, "--catalog", url, "--data", a]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let (operatorToken, guardToken) = (try await token("olga"), try await token("ivan"))
        // Node a takes the operator's requests; the guard's phone is connected to node b, an API node.
        let nodeA = try await ClusterNodeTests.Node.started("a", catalog: url, data: a)
        let nodeB = try await ClusterNodeTests.Node.started("b", catalog: url, data: b, role: "api")
        defer { for node in [nodeA, nodeB] { node.kill() } }

        let phone = Phone()
        let stream = Task { try await phone.run(port: nodeB.port, token: guardToken, latitude: 47.7902, longitude: 67.714) }
        defer { stream.cancel() }
        let started = ContinuousClock.now
        while !phone.onDuty.withLock({ $0 }) {
            try #require(ContinuousClock.now - started < .seconds(30), "the phone's duty never started on node b")
            try await Task.sleep(for: .milliseconds(50))
        }

        func offer(_ summary: String) async throws -> (id: Int, heardAfter: Duration?) {
            let sent = ContinuousClock.now
            let created: String = try await nodeA.curl("/api/incidents", ["-X", "POST", "-H", "authorization: Bearer \(operatorToken)", "-H", "content-type: application/json",
                                                                  "-d", #"{"latitude": 47.7902, "longitude": 67.713, "summary": "\#(summary)"}"#])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any], "\(created)")
            #expect(json["offeredTo"] as? String == "ivan", "node a offered it to the guard on duty: \(created)")
            let id = try #require(json["id"] as? Int, "\(created)")
            // The phone's page polls every 10 s; the stream must bring the offer well before.
            while ContinuousClock.now - sent < .seconds(5) {
                if let heard = phone.heard.withLock({ $0.first { $0.id == id && $0.state == "offered" } }) { return (id, heard.at - sent) }
                try await Task.sleep(for: .milliseconds(20))
            }
            return (id, nil)
        }
        let first = try await offer("window broken")
        #expect(first.heardAfter != nil, "the offer made on node a never reached the phone on node b's duty stream within 5 s")
        print("offer on node a heard on node b after \(first.heardAfter.map { "\($0)" } ?? "never")")
        #expect((first.heardAfter ?? .seconds(60)) < .seconds(2), "\(String(describing: first.heardAfter))")

        // Cancelled on node a: the phone on node b hears that too, once.
        _ = try await nodeA.curl("/api/incidents/\(first.id)/cancel", ["-X", "POST", "-H", "authorization: Bearer \(operatorToken)", "-H", "content-type: application/json", "-d", "{}"])
        let cancelSent = ContinuousClock.now
        while !phone.heard.withLock({ $0.contains { $0.id == first.id && $0.state == "cancelled" } }) {
            try #require(ContinuousClock.now - cancelSent < .seconds(5), "the cancellation on node a never reached the phone on node b")
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .seconds(1.5))
        let told = phone.heard.withLock { $0.filter { $0.id == first.id }.map(\.state) }
        #expect(told == ["offered", "cancelled"], "each change told once: \(told)")
    }
}
