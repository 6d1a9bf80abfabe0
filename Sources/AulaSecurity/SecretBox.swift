import Crypto
import Foundation

/// Encrypts small secrets (camera passwords) for storage with AES-256-GCM.
///
/// Stored form: `aesgcm:` followed by base64 of nonce ‖ ciphertext ‖ tag. The prefix lets the
/// catalogue tell encrypted values from plain ones left by an older version, which are encrypted on
/// start-up. GCM authenticates as well as hides: a value edited in the database fails to open
/// instead of yielding a wrong password.
public struct SecretBox: Sendable {
    public static let prefix = "aesgcm:"
    let key: SymmetricKey

    public init(key: SymmetricKey) {
        self.key = key
    }

    /// The box whose 32-byte key is in `path` (created at first use, mode 0600).
    public init(keyFile path: String) throws {
        let bytes = try KeyFile.loadOrCreate(path: path) { SymmetricKey(size: .bits256).withUnsafeBytes { [UInt8]($0) } }
        guard bytes.count == 32 else { throw KeyFile.Failure(path: path, reason: "expected a 32-byte AES key, found \(bytes.count) bytes") }
        key = SymmetricKey(data: bytes)
    }

    public func seal(_ plain: String) throws -> String {
        let box = try AES.GCM.seal(Data(plain.utf8), using: key)
        return Self.prefix + box.combined!.base64EncodedString()
    }

    public func open(_ stored: String) throws -> String {
        guard stored.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))) else {
            throw SecretBoxError.notSealed
        }
        do {
            let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key)
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw SecretBoxError.cannotOpen
        }
    }

    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }
}

public enum SecretBoxError: Error, Sendable {
    /// The value is not in the sealed form.
    case notSealed
    /// Wrong key, or the value was altered.
    case cannotOpen
}
