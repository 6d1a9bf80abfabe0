import AulaSecurity
import Foundation
import Testing

@Suite struct SecretBoxTests {
    @Test func sealsAndOpensWithTheKeyFileOnly() throws {
        let folder = temporaryDirectory()
        let box = try SecretBox(keyFile: folder + "/secrets.key")
        let sealed = try box.seal("p@ss word")
        #expect(sealed.hasPrefix(SecretBox.prefix))
        #expect(!sealed.contains("p@ss"))
        #expect(try box.seal("p@ss word") != sealed, "a fresh nonce each time")
        #expect(try box.open(sealed) == "p@ss word")
        // The same file gives the same key; another file does not open it.
        #expect(try SecretBox(keyFile: folder + "/secrets.key").open(sealed) == "p@ss word")
        #expect(throws: SecretBoxError.cannotOpen) { try SecretBox(keyFile: folder + "/other.key").open(sealed) }
        // An edited value fails rather than yielding a wrong password.
        var bytes = Array(Data(base64Encoded: String(sealed.dropFirst(SecretBox.prefix.count)))!)
        bytes[bytes.count - 1] ^= 1
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(SecretBox.prefix + Data(bytes).base64EncodedString()) }
    }

    @Test func keyFileIsPrivateAndAReadableOneIsRefused() throws {
        let path = temporaryDirectory() + "/secrets.key"
        _ = try SecretBox(keyFile: path)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        chmod(path, 0o644)
        #expect(throws: KeyFile.Failure.self) { try SecretBox(keyFile: path) }
    }

    @Test func tokensAreRandomAndStoredAsDigests() {
        let a = SecretToken.generate(prefix: "aula_"), b = SecretToken.generate(prefix: "aula_")
        #expect(a != b)
        #expect(a.count == 5 + 43)
        #expect(SecretToken.digest(a).count == 64)
        #expect(SecretToken.digest(a) != SecretToken.digest(b))
        #expect(SecretToken.constantTimeEqual(a, a) && !SecretToken.constantTimeEqual(a, b))
    }

    @Test func bcryptVerifiesOnlyTheRightPassword() {
        let hasher = PasswordHasher(cost: 4)
        let hash = hasher.hash("correct horse")
        #expect(hash.hasPrefix("$2"))
        #expect(hasher.verify("correct horse", hash: hash))
        #expect(!hasher.verify("correct horsE", hash: hash))
    }
}
