import AulaSecurity
import Foundation
import Randomness
import Testing

/// Evidence that verifies is the evidence that extracts: packages forged with GNU tar and with
/// Python's tarfile, each of which makes `tar -xf` (or `tarfile.extractall`) write a clip other
/// than the verified one, are refused, and an untouched package extracts exactly as verified.
@Suite struct EvidenceForgeryTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let forgedClip = [UInt8](EvidencePackageTests.media.reversed())
    /// Components that tar and Python drop on extraction, making a name over 100 bytes.
    static let longPrefix = String(repeating: "./", count: 60)

    /// A signed package on disk, its trusted key, and a folder holding the forged clip under the
    /// package's clip name and as `notes.txt`.
    struct Fixture {
        var folder: String
        var package: [UInt8]
        var key: [UInt8]
        var path: String { folder + "/e.tar" }
        var forged: String { folder + "/forged" }

        init() throws {
            folder = temporaryDirectory()
            let signer = try EvidenceSigner(keyFile: folder + "/k")
            key = EvidencePackage.parseKeyHex(signer.publicKeyHex)!
            package = try EvidencePackageTests.package(signer: signer, media: EvidencePackageTests.media)
            try Data(package).write(to: URL(fileURLWithPath: path))
            try FileManager.default.createDirectory(atPath: forged, withIntermediateDirectories: true)
            for name in ["clip.mp4", "notes.txt"] {
                try Data(EvidenceForgeryTests.forgedClip).write(to: URL(fileURLWithPath: forged + "/" + name))
            }
        }

        /// A copy of the package to forge in place.
        func copy(_ name: String) throws -> String {
            let out = folder + "/" + name
            try Data(package).write(to: URL(fileURLWithPath: out))
            return out
        }

        func bytes(_ path: String) -> [UInt8] { FileManager.default.contents(atPath: path).map([UInt8].init) ?? [] }

        /// The refusal of the package at `path`, or nil when it verifies.
        func refusal(_ path: String) -> String? {
            do {
                _ = try EvidencePackage.verify(bytes(path), trustedKey: key)
                return nil
            } catch {
                return "\(error)"
            }
        }

        /// What `tar -xf` (with `options`) writes as clip.mp4.
        func tarExtractsClip(_ path: String, options: [String] = []) throws -> [UInt8] {
            let into = temporaryDirectory()
            #expect(try run("/usr/bin/tar", ["-x"] + options + ["-f", path, "-C", into]).status == 0)
            return bytes(into + "/clip.mp4")
        }

        /// What Python's `tarfile.extractall` writes as clip.mp4.
        func pythonExtractsClip(_ path: String) throws -> [UInt8] {
            let into = temporaryDirectory()
            let result = try run("/usr/bin/python3", [EvidenceForgeryTests.packageRoot + "/scripts/forge_evidence.py", "extract", path, into])
            #expect(result.status == 0, "\(result.output)")
            return bytes(into + "/clip.mp4")
        }
    }

    @Test func untouchedPackageExtractsExactlyWhatVerifies() throws {
        let f = try Fixture()
        let verified = try EvidencePackage.verify(f.package, trustedKey: f.key)
        let members = try Tar.read(f.package)
        #expect(members.map(\.name) == ["manifest.json", "manifest.sig", verified.manifest.mediaFile])
        for (tool, extract) in [
            ("tar -xf", { (into: String) in try run("/usr/bin/tar", ["-xf", f.path, "-C", into]).status }),
            ("tar --ignore-zeros -xf", { (into: String) in try run("/usr/bin/tar", ["--ignore-zeros", "-xf", f.path, "-C", into]).status }),
            ("tarfile.extractall", { (into: String) in
                try run("/usr/bin/python3", [Self.packageRoot + "/scripts/forge_evidence.py", "extract", f.path, into]).status }),
        ] {
            let into = temporaryDirectory()
            #expect(try extract(into) == 0, "\(tool)")
            let files = try FileManager.default.contentsOfDirectory(atPath: into).sorted()
            #expect(files == members.map(\.name).sorted(), "\(tool) extracts exactly the verified members")
            for m in members {
                #expect(f.bytes(into + "/" + m.name) == m.data, "\(tool): \(m.name) is the verified bytes")
            }
            #expect(EvidencePackage.sha256Hex(f.bytes(into + "/" + verified.manifest.mediaFile)) == verified.manifest.mediaSHA256)
        }
        // Tools pad archives with zero blocks to a whole record: still the same package.
        _ = try EvidencePackage.verify(f.package + [UInt8](repeating: 0, count: 9216), trustedKey: f.key)
    }

    /// Each forgery really fools GNU tar (the forged clip is what it extracts), and is refused.
    @Test func forgeriesMadeWithGNUTarAreRefused() throws {
        let f = try Fixture()
        func tar(_ arguments: [String]) throws {
            let result = try run("/usr/bin/tar", arguments, in: f.folder)
            #expect(result.status == 0, "tar \(arguments): \(result.output)")
        }
        // A duplicate clip appended with -r: the first is verified, the second is extracted.
        let duplicate = try f.copy("duplicate.tar")
        try tar(["--format=ustar", "-rf", duplicate, "-C", f.forged, "clip.mp4"])
        // A ustar prefix of "./" components: the same file on disk, under a name Aula did not read.
        let prefix = try f.copy("prefix.tar")
        try tar(["--format=ustar", "-rf", prefix, "-C", f.forged, "--transform=s,^,\(Self.longPrefix),", "clip.mp4"])
        // A pax header that renames notes.txt to clip.mp4, concatenated with -A.
        let pax = try f.copy("pax.tar")
        try tar(["--format=pax", "--pax-option=path:=clip.mp4", "-cf", "pax-part.tar", "-C", f.forged, "notes.txt"])
        try tar(["-Af", pax, "pax-part.tar"])
        // A GNU long name (over 100 bytes) that extracts as clip.mp4.
        let gnu = try f.copy("gnu.tar")
        try tar(["--format=gnu", "-cf", "gnu-part.tar", "-C", f.forged, "--transform=s,^,\(Self.longPrefix),", "clip.mp4"])
        try tar(["-Af", gnu, "gnu-part.tar"])
        // A whole archive after the end marker: tar stops there, tar --ignore-zeros reads on.
        try tar(["--format=ustar", "-cf", "after-part.tar", "-C", f.forged, "clip.mp4"])
        let after = f.folder + "/after.tar"
        try Data(f.package + f.bytes(f.folder + "/after-part.tar")).write(to: URL(fileURLWithPath: after))

        for (path, options, why) in [
            (duplicate, [String](), "a second member named \"clip.mp4\""),
            (prefix, [], "ustar prefix"),
            (pax, [], "pax extended header"),
            (gnu, [], "GNU long name"),
            (after, ["--ignore-zeros"], "data after the end-of-archive marker"),
        ] {
            #expect(try f.tarExtractsClip(path, options: options) == Self.forgedClip, "the forgery works on GNU tar: \(path)")
            let refusal = f.refusal(path)
            #expect(refusal?.contains(why) == true, "\(path): \(refusal ?? "VERIFIED")")
        }
    }

    /// The same with Python's tarfile (scripts/forge_evidence.py), plus missing, extra, escaping
    /// and non-file members.
    @Test func forgeriesMadeWithPythonTarfileAreRefused() throws {
        let f = try Fixture()
        func forge(_ kind: String) throws -> String {
            let out = f.folder + "/\(kind).tar"
            let result = try run("/usr/bin/python3", [Self.packageRoot + "/scripts/forge_evidence.py", kind, f.path, f.forged + "/clip.mp4", out])
            #expect(result.status == 0, "\(kind): \(result.output)")
            return out
        }
        for (kind, extractsForgedClip, why) in [
            ("duplicate", true, "a second member named \"clip.mp4\""),
            ("pax", true, "pax extended header"),
            ("prefix", true, "ustar prefix"),
            ("gnu-longname", true, "GNU long name"),
            ("symlink", false, "symbolic link"),
            ("traversal", false, "path separator"),
            ("extra", false, "unexpected member \"notes.txt\""),
            ("missing", false, "the package has no manifest.sig"),
        ] {
            let path = try forge(kind)
            if extractsForgedClip {
                #expect(try f.pythonExtractsClip(path) == Self.forgedClip, "the forgery works on Python: \(kind)")
                #expect(try f.tarExtractsClip(path) == Self.forgedClip, "the forgery works on GNU tar: \(kind)")
            }
            let refusal = f.refusal(path)
            #expect(refusal?.contains(why) == true, "\(kind): \(refusal ?? "VERIFIED")")
        }
    }

    /// Header fields that GNU tar and Python read differently, or that Aula never writes.
    @Test func headersOtherThanAulasOwnAreRefused() throws {
        let f = try Fixture()
        let members = try Tar.read(f.package)
        let clip = Tar.memberLength(size: members[0].data.count) + Tar.memberLength(size: members[1].data.count)
        /// The package with the clip's header edited and its checksum made right again.
        func edited(fixChecksum: Bool = true, _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var header = Array(f.package[clip..<clip + 512])
            edit(&header)
            if fixChecksum {
                for i in 148..<156 { header[i] = 0x20 }
                let sum = header.reduce(0) { $0 + Int($1) }
                let digits = Array(String(sum, radix: 8).utf8)
                header.replaceSubrange(148..<156, with: [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, 0x20])
            }
            var out = f.package
            out.replaceSubrange(clip..<clip + 512, with: header)
            return out
        }
        func put(_ text: String, at offset: Int) -> (inout [UInt8]) -> Void {
            { header in for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
        }
        var cases: [(String, [UInt8], String)] = []
        for (type, why) in [("1", "hard link"), ("2", "symbolic link"), ("5", "directory"), ("x", "pax extended header"),
                            ("g", "pax global header"), ("L", "GNU long name"), ("K", "GNU long link name"), ("S", "GNU sparse")] {
            cases.append(("type \(type)", edited(put(type, at: 156)), why))
        }
        cases += [
            ("GNU magic", edited(put("ustar  \0", at: 257)), "not POSIX ustar"),
            ("ustar prefix", edited(put("evidence", at: 345)), "ustar prefix"),
            ("garbage after the name's NUL", edited(put("\0junk", at: 8)), "after its terminating NUL"),
            ("a space before the name", edited(put(" clip.mp4", at: 0)), "the byte 0x20"),
            ("base-256 size", edited { h in
                h.replaceSubrange(124..<136, with: [0x80] + [UInt8](repeating: 0, count: 9) + [0x13, 0x88])
            }, "base-256"),
            ("a NUL before the size", edited(put("\00000011610\0", at: 124)), "size field"),
            ("a space before the size", edited(put(" 0000011610\0", at: 124)), "size field"),
            ("a sign on the size", edited(put("+0000011610\0", at: 124)), "size field"),
            ("a size with no end", edited(put("000000011610", at: 124)), "size field"),
            ("a mode Python cannot read", edited(put("0000644x", at: 100)), "mode field"),
            ("a set-user-ID mode", edited(put("0004755", at: 100)), "set-user-ID"),
            ("an mtime Python reads as octal 0o17", edited(put("0o000000017\0", at: 136)), "mtime field"),
            ("a devmajor Python cannot read", edited(put("zz", at: 329)), "devmajor field"),
            ("a link name", edited(put("elsewhere", at: 157)), "link name"),
            ("an owner with a control byte", edited(put("ro\u{1}ot", at: 265)), "owner name"),
            ("bytes past the ustar fields", edited(put("x", at: 508)), "bytes 500 to 511"),
            ("a wrong checksum", edited(fixChecksum: false, put("1", at: 120)), "checksum is wrong"),
            ("a checksum that is not octal", edited(fixChecksum: false, put("0x12345\0", at: 148)), "checksum field"),
            ("a size past the end", edited(put("77777777777\0", at: 124)), "is truncated"),
            ("junk in the clip's padding", { var p = f.package; p[clip + 512 + EvidencePackageTests.media.count + 3] = 1; return p }(),
             "padding after its data is not zero"),
            ("one zero block at the end", Array(f.package.dropLast(512)), "one zero block, not two"),
            ("no end marker", Array(f.package.dropLast(1024)), "without its end marker"),
            ("a byte after the end marker", f.package + [0, 0, 7], "data after the end-of-archive marker"),
        ]
        for (what, bytes, why) in cases {
            let error = #expect(throws: EvidencePackage.Failure.self, "\(what)") { try EvidencePackage.verify(bytes, trustedKey: f.key) }
            #expect(error?.description.contains(why) == true, "\(what): \(error?.description ?? "VERIFIED")")
            #expect(error?.description.contains("at byte") == true, "\(what) names where: \(error?.description ?? "")")
        }
    }

    /// Any one changed byte of the package (header, data, padding or end marker), any truncation
    /// and anything appended is refused, and no input, however hostile, traps the reader.
    @Test func everyChangedByteIsRefusedAndNothingTraps() throws {
        let f = try Fixture()
        let package = f.package
        var accepted: [String] = []
        // Every byte of the headers, paddings and end marker; of the members' data (which the
        // signature and the digest cover) every 13th, to keep the test quick.
        var data: [Range<Int>] = []
        var offset = 0
        for m in try Tar.read(package) {
            data.append(offset + 512..<offset + 512 + m.data.count)
            offset += Tar.memberLength(size: m.data.count)
        }
        let clip = offset - Tar.memberLength(size: EvidencePackageTests.media.count)
        for i in package.indices where i % 13 == 0 || !data.contains(where: { $0.contains(i) }) {
            for value in Set([package[i] ^ 0x01, package[i] ^ 0x80, UInt8(ascii: "7"), 0]) where value != package[i] {
                var changed = package
                changed[i] = value
                if (try? EvidencePackage.verify(changed, trustedKey: f.key)) != nil { accepted.append("byte \(i) set to \(value)") }
            }
        }
        for length in 0..<package.count where (try? EvidencePackage.verify(Array(package.prefix(length)), trustedKey: f.key)) != nil {
            accepted.append("cut to \(length) bytes")
        }
        for extra in [[UInt8(1)], [UInt8](repeating: 0, count: 511) + [1], [UInt8](repeating: 0, count: 5000) + [0x20]]
        where (try? EvidencePackage.verify(package + extra, trustedKey: f.key)) != nil {
            accepted.append("\(extra.count) bytes appended")
        }
        #expect(accepted.isEmpty, "\(accepted.prefix(20))")

        // Hostile headers: random sizes (huge, negative, base-256, unterminated), types and
        // lengths around the genuine clip header, then random bytes. The reader only must not trap.
        var random = SeededRandom(seed: 15)
        let sizes = ["77777777777\0", "777777777777", "-1\0", "\u{80}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}",
                     "\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}\u{ff}", "1\0", "0\0", "", "9999999999\0", " \0"]
        for _ in 0..<3000 {
            var bytes = Array(package.prefix(clip + 512 + Int(random.next() % 6000)))
            let size = Array(sizes[Int(random.next() % UInt64(sizes.count))].utf8.prefix(12))
            bytes.replaceSubrange(clip + 124..<clip + 124 + size.count, with: size)
            bytes[clip + 156] = UInt8(truncatingIfNeeded: random.next())
            for _ in 0..<Int(random.next() % 4) { bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            _ = try? Tar.read(bytes)
            _ = try? EvidencePackage.verify(bytes, trustedKey: f.key)
        }
        for _ in 0..<500 {
            let bytes = (0..<Int(random.next() % 3000)).map { _ in UInt8(truncatingIfNeeded: random.next() % 4 == 0 ? random.next() : 0) }
            _ = try? Tar.read(bytes)
        }
    }
}

