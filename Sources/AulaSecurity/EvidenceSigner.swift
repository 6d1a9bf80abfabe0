import Crypto
import Foundation

/// The server's Ed25519 key for signing evidence exports, kept in a 0600 file in the data folder.
public struct EvidenceSigner: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
    }

    /// Loads the key from `path`, creating it at first use.
    public init(keyFile path: String) throws {
        let bytes = try KeyFile.loadOrCreate(path: path) { [UInt8](Curve25519.Signing.PrivateKey().rawRepresentation) }
        do { key = try Curve25519.Signing.PrivateKey(rawRepresentation: bytes) } catch {
            throw KeyFile.Failure(path: path, reason: "not a 32-byte Ed25519 private key")
        }
    }

    public var publicKey: Curve25519.Signing.PublicKey { key.publicKey }

    /// Hex of the raw public key: what `aula verify --public-key` takes and what the manifest names.
    public var publicKeyHex: String { SecretToken.hex(key.publicKey.rawRepresentation) }

    public func sign(_ data: [UInt8]) throws -> [UInt8] { [UInt8](try key.signature(for: data)) }
}
