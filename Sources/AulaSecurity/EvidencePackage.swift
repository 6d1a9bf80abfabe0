import Crypto
import Foundation

/// What an evidence export states about its clip. Signed as the exact bytes of `manifest.json`.
public struct EvidenceManifest: Codable, Sendable, Equatable {
    public var format = "aula-evidence-1"
    public var cameraID: Int64
    public var cameraName: String
    /// RFC 3339 times of the requested range.
    public var start: String
    public var end: String
    public var exportedBy: String
    public var exportedAt: String
    public var mediaFile: String
    public var mediaBytes: Int
    /// Hex SHA-256 of the media file.
    public var mediaSHA256: String
    /// Hex of the Ed25519 public key that signed this manifest.
    public var signingKey: String
    /// Present when the clip is not the recorded footage but a derived copy with the camera's
    /// privacy zones blacked out (for a user without the right to see behind them).
    public var privacyMasked: PrivacyMasking?

    /// How a masked clip was derived, and the recorded clip it was derived from.
    public struct PrivacyMasking: Codable, Sendable, Equatable {
        public var method: String
        /// Hex SHA-256 and size of the unmasked .mp4 of the same range, as Aula serves it to
        /// users with the right: an export of theirs can be matched to this one.
        public var sourceMediaSHA256: String
        public var sourceMediaBytes: Int

        public init(method: String, sourceMediaSHA256: String, sourceMediaBytes: Int) {
            self.method = method
            self.sourceMediaSHA256 = sourceMediaSHA256
            self.sourceMediaBytes = sourceMediaBytes
        }
    }

    public init(cameraID: Int64, cameraName: String, start: String, end: String, exportedBy: String, exportedAt: String,
                mediaFile: String, mediaBytes: Int, mediaSHA256: String, signingKey: String) {
        self.cameraID = cameraID
        self.cameraName = cameraName
        self.start = start
        self.end = end
        self.exportedBy = exportedBy
        self.exportedAt = exportedAt
        self.mediaFile = mediaFile
        self.mediaBytes = mediaBytes
        self.mediaSHA256 = mediaSHA256
        self.signingKey = signingKey
    }
}

/// An evidence export: a tar file with `manifest.json`, `manifest.sig` (the raw 64-byte Ed25519
/// signature of the manifest bytes) and the clip.
///
/// The signature covers the manifest, and the manifest covers the clip by its SHA-256, so changing
/// any byte of either is detected. The signing key's public half is in the manifest for
/// convenience only: verification must be given the key to trust (the server's, published by the
/// operator), because anyone who edits a package can also put their own key into it.
public enum EvidencePackage {
    public static let manifestName = "manifest.json"
    public static let signatureName = "manifest.sig"

    public static func make(manifest: EvidenceManifest, media: [UInt8], signer: EvidenceSigner, mtime: Int64) throws -> [UInt8] {
        let prefix = try self.prefix(manifest: manifest, signer: signer, mtime: mtime)
        return prefix + media + Tar.padding(after: media.count) + Tar.end
    }

    /// Everything before the clip's bytes: manifest, signature and the clip's tar header. A server
    /// streams this, then the clip, then ``suffix(mediaBytes:)``, without holding the clip in memory.
    public static func prefix(manifest: EvidenceManifest, signer: EvidenceSigner, mtime: Int64) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let manifestBytes = [UInt8](try encoder.encode(manifest))
        let signature = try signer.sign(manifestBytes)
        return Tar.header(name: manifestName, size: manifestBytes.count, mtime: mtime) + manifestBytes + Tar.padding(after: manifestBytes.count)
            + Tar.header(name: signatureName, size: signature.count, mtime: mtime) + signature + Tar.padding(after: signature.count)
            + Tar.header(name: manifest.mediaFile, size: manifest.mediaBytes, mtime: mtime)
    }

    public static func suffix(mediaBytes: Int) -> [UInt8] { Tar.padding(after: mediaBytes) + Tar.end }

    public static func sha256Hex(_ bytes: [UInt8]) -> String { SecretToken.hex(SHA256.hash(data: bytes)) }

    public struct Verified: Sendable {
        public var manifest: EvidenceManifest
    }

    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    /// Checks the signature with `trustedKey` (raw 32 bytes) and the clip against the manifest, and
    /// that the package is exactly what GNU tar and Python's `tarfile` extract from it.
    ///
    /// The tar file must be read by ``Tar/read(_:)`` (plain ustar regular files, nothing another
    /// reader would see differently, nothing after the end marker) and hold exactly three members:
    /// `manifest.json`, `manifest.sig` and the clip the signed manifest names; a duplicate, missing
    /// or unexpected member is refused. So every file `tar -xf` writes was verified.
    public static func verify(_ package: [UInt8], trustedKey: [UInt8]) throws -> Verified {
        let members: [Tar.Member]
        do { members = try Tar.read(package) } catch {
            throw Failure(description: "not an evidence package as Aula writes it, so tar could extract something other than what is verified: \(error)")
        }
        func member(_ name: String) throws -> [UInt8] {
            guard let m = members.first(where: { $0.name == name }) else { throw Failure(description: "the package has no \(name) (missing member)") }
            return m.data
        }
        let manifestBytes = try member(manifestName)
        let signature = try member(signatureName)
        let key: Curve25519.Signing.PublicKey
        do { key = try Curve25519.Signing.PublicKey(rawRepresentation: trustedKey) } catch {
            throw Failure(description: "the trusted key is not a 32-byte Ed25519 public key")
        }
        guard key.isValidSignature(signature, for: manifestBytes) else {
            throw Failure(description: "the signature does not match: the manifest was altered or was not signed by the trusted key")
        }
        let manifest: EvidenceManifest
        do { manifest = try JSONDecoder().decode(EvidenceManifest.self, from: Data(manifestBytes)) } catch {
            throw Failure(description: "the manifest is signed but not readable: \(error)")
        }
        let expected = [manifestName, signatureName, manifest.mediaFile]
        guard Set(expected.map { $0.lowercased() }).count == expected.count else {
            throw Failure(description: "the signed manifest names its clip \"\(manifest.mediaFile)\", the name of another member")
        }
        let media = try member(manifest.mediaFile)
        if let extra = members.first(where: { !expected.contains($0.name) }) {
            throw Failure(description: "unexpected member \"\(extra.name)\" (\(extra.data.count) bytes): an evidence package holds exactly \(expected.joined(separator: ", ")), and tar would extract the rest unverified")
        }
        guard media.count == manifest.mediaBytes, sha256Hex(media) == manifest.mediaSHA256 else {
            throw Failure(description: "\(manifest.mediaFile) does not match the SHA-256 in the signed manifest: the clip was altered")
        }
        return Verified(manifest: manifest)
    }

    /// Parses a public key given as 64 hex digits.
    public static func parseKeyHex(_ text: String) -> [UInt8]? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.count == 64 else { return nil }
        var out: [UInt8] = []
        var i = t.startIndex
        while i < t.endIndex {
            let j = t.index(i, offsetBy: 2)
            guard let b = UInt8(t[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }
}
