import ArgumentParser
import AulaSecurity
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an evidence export offline: its signature, the clip's SHA-256, and that tar extracts exactly that.",
        discussion: """
            The key to trust is the server's public key: give it with --public-key (64 hex digits, as \
            `aula verify --show-key` prints on the server), or point --data at the server's data folder.

            A package is refused unless it is a plain ustar file of exactly three regular files \
            (manifest.json, manifest.sig and the clip the signed manifest names), as Aula writes it: \
            duplicate, missing or unexpected members, pax or GNU long-name headers, links, a ustar \
            prefix, fields that GNU tar and Python's tarfile read differently, or anything after the \
            end marker would let `tar -xf` extract something other than what was verified.
            """)

    @Argument(help: "The evidence .tar file.")
    var file: String?

    @Option(help: "The trusted Ed25519 public key, 64 hex digits, or a file holding them.")
    var publicKey: String?

    @Option(help: "The server's data folder, to take the key from (used when --public-key is not given).")
    var data: String = "./aula-data"

    @Flag(help: "Print the public key of the server in --data and exit.")
    var showKey = false

    func run() throws {
        if showKey {
            say(try serverSigner().publicKeyHex)
            return
        }
        guard let file else { throw ValidationError("name the evidence file to verify") }
        let key: [UInt8]
        if let publicKey {
            let text = FileManager.default.fileExists(atPath: publicKey) ? (try String(contentsOfFile: publicKey, encoding: .utf8)) : publicKey
            guard let parsed = EvidencePackage.parseKeyHex(text) else { throw ValidationError("--public-key must be 64 hex digits (or a file holding them)") }
            key = parsed
        } else {
            guard let hex = try? serverSigner().publicKeyHex, let parsed = EvidencePackage.parseKeyHex(hex) else {
                throw ValidationError("no --public-key given and no server key in \(data)")
            }
            key = parsed
        }
        guard let bytes = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        do {
            let verified = try EvidencePackage.verify([UInt8](bytes), trustedKey: key)
            let m = verified.manifest
            say("""
                VALID: signed by \(m.signingKey)
                  camera:      \(m.cameraID) (\(m.cameraName))
                  range:       \(m.start) to \(m.end)
                  exported by: \(m.exportedBy) at \(m.exportedAt)
                  clip:        \(m.mediaFile), \(m.mediaBytes) bytes, SHA-256 \(m.mediaSHA256)
                  members:     \(EvidencePackage.manifestName), \(EvidencePackage.signatureName), \(m.mediaFile) and nothing else
                """)
            if let masked = m.privacyMasked {
                say("""
                      masked:      privacy zones blacked out, not the recorded bytes (\(masked.method))
                      derived from the recorded clip of \(masked.sourceMediaBytes) bytes, SHA-256 \(masked.sourceMediaSHA256)
                    """)
            }
        } catch let failure as EvidencePackage.Failure {
            say("INVALID: \(failure.description)")
            throw ExitCode(1)
        }
    }

    /// The server's key, read without creating one.
    func serverSigner() throws -> EvidenceSigner {
        let path = data + "/evidence-signing.key"
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) does not exist") }
        return try EvidenceSigner(keyFile: path)
    }
}
