// Fuzz target "tar": Tar.read on arbitrary bytes (an evidence package given to `aula verify`), and
// EvidencePackage.verify against a fixed trusted key. Properties: never traps; what Tar.read
// accepts, Tar.write writes again into an archive that reads back the same members.
//
// The seeds are packages Aula itself signs: with AULA_FUZZ_SEED_DIR set, the target writes them
// there at start-up (`scripts/fuzz.sh --make-seeds` does this).
import Crypto
import Foundation
@testable import AulaSecurity

private let signer = EvidenceSigner(key: try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32)))
private let trustedKey = [UInt8](signer.publicKey.rawRepresentation)

@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    guard let directory = ProcessInfo.processInfo.environment["AULA_FUZZ_SEED_DIR"] else { return 0 }
    let media = Array("not really an mp4, but bytes all the same".utf8)
    let manifest = EvidenceManifest(
        cameraID: 3, cameraName: "Courtyard 3", start: "2025-03-04T21:15:00Z", end: "2025-03-04T21:16:00Z",
        exportedBy: "operator", exportedAt: "2025-03-05T08:00:00Z", mediaFile: "clip.mp4", mediaBytes: media.count,
        mediaSHA256: EvidencePackage.sha256Hex(media), signingKey: signer.publicKeyHex)
    let package = try! EvidencePackage.make(manifest: manifest, media: media, signer: signer, mtime: 1_741_162_000)
    precondition((try? EvidencePackage.verify(package, trustedKey: trustedKey)) != nil)
    try! Data(package).write(to: URL(fileURLWithPath: "\(directory)/signed-package"))
    let plain = Tar.write([Tar.Member(name: "a.txt", data: Array("hello".utf8)), Tar.Member(name: "B", data: [])], mtime: 0)
    try! Data(plain).write(to: URL(fileURLWithPath: "\(directory)/two-members"))
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let members = try? Tar.read(bytes) {
        let again = try? Tar.read(Tar.write(members, mtime: 0))
        fuzzRequire(again == members, "the members Tar.read accepted do not survive Tar.write")
    }
    _ = try? EvidencePackage.verify(bytes, trustedKey: trustedKey)
    return 0
}
