import AulaSecurity
import Foundation
import Testing

@Suite struct EvidencePackageTests {
    static func package(signer: EvidenceSigner, media: [UInt8]) throws -> [UInt8] {
        let manifest = EvidenceManifest(cameraID: 3, cameraName: "Gate", start: "2026-11-24T22:00:00Z", end: "2026-11-24T22:01:00Z",
                                        exportedBy: "ann", exportedAt: "2026-11-25T01:00:00Z", mediaFile: "clip.mp4", mediaBytes: media.count,
                                        mediaSHA256: EvidencePackage.sha256Hex(media), signingKey: signer.publicKeyHex)
        return try EvidencePackage.make(manifest: manifest, media: media, signer: signer, mtime: 1_764_000_000)
    }

    static let media = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    @Test func signedPackageVerifies() throws {
        let signer = try EvidenceSigner(keyFile: temporaryDirectory() + "/k")
        let bytes = try Self.package(signer: signer, media: Self.media)
        let verified = try EvidencePackage.verify(bytes, trustedKey: EvidencePackage.parseKeyHex(signer.publicKeyHex)!)
        #expect(verified.manifest.cameraID == 3)
        #expect(verified.manifest.mediaBytes == Self.media.count)
    }

    @Test func tamperedClipManifestAndWrongKeyAreDetected() throws {
        let signer = try EvidenceSigner(keyFile: temporaryDirectory() + "/k")
        let key = EvidencePackage.parseKeyHex(signer.publicKeyHex)!
        let bytes = try Self.package(signer: signer, media: Self.media)
        let members = try Tar.read(bytes)

        var clip = members
        clip[2].data[100] ^= 1
        #expect(throws: EvidencePackage.Failure.self) { try EvidencePackage.verify(Tar.write(clip, mtime: 0), trustedKey: key) }

        var manifest = members
        let text = String(decoding: manifest[0].data, as: UTF8.self).replacingOccurrences(of: "\"ann\"", with: "\"bob\"")
        manifest[0].data = Array(text.utf8)
        let error = #expect(throws: EvidencePackage.Failure.self) { try EvidencePackage.verify(Tar.write(manifest, mtime: 0), trustedKey: key) }
        #expect(error?.description.contains("signature") == true)

        let other = try EvidenceSigner(keyFile: temporaryDirectory() + "/other")
        #expect(throws: EvidencePackage.Failure.self) { try EvidencePackage.verify(bytes, trustedKey: EvidencePackage.parseKeyHex(other.publicKeyHex)!) }

        // A forger who re-signs with their own key fools only someone who trusts that key.
        let forged = try Self.package(signer: other, media: Self.media.reversed())
        #expect(throws: EvidencePackage.Failure.self) { try EvidencePackage.verify(forged, trustedKey: key) }
        #expect(throws: EvidencePackage.Failure.self) { try EvidencePackage.verify(Array(bytes.prefix(bytes.count / 2)), trustedKey: key) }
    }

    /// GNU tar is the independent reader: what Aula writes, anyone can unpack.
    @Test func tarReadsThePackage() throws {
        let signer = try EvidenceSigner(keyFile: temporaryDirectory() + "/k")
        let folder = temporaryDirectory()
        try Data(try Self.package(signer: signer, media: Self.media)).write(to: URL(fileURLWithPath: folder + "/e.tar"))
        let listing = try run("/usr/bin/tar", ["-tf", folder + "/e.tar"])
        #expect(listing.status == 0)
        #expect(listing.output.split(separator: "\n") == ["manifest.json", "manifest.sig", "clip.mp4"])
        #expect(try run("/usr/bin/tar", ["-xf", "e.tar"], in: folder).status == 0)
        #expect(FileManager.default.contents(atPath: folder + "/clip.mp4").map([UInt8].init) == Self.media)
    }
}
