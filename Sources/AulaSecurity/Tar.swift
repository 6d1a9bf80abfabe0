import Foundation

/// A minimal POSIX ustar archive: regular files only, names under 100 bytes.
///
/// Evidence packages are tar files so that anyone can open them with standard tools (`tar -xf`)
/// without Aula; Aula only needs to write and read back its own three members.
///
/// ``read(_:)`` accepts only what ``write(_:mtime:)`` could have written, so that what it returns
/// is exactly what GNU tar and Python's `tarfile` extract from the same bytes: anything on which
/// tar readers differ, or which one of them reads and Aula would not, is refused (see ``read(_:)``).
public enum Tar {
    public struct Member: Sendable, Equatable {
        public var name: String
        public var data: [UInt8]
        public init(name: String, data: [UInt8]) {
            self.name = name
            self.data = data
        }
    }

    public struct FormatError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func write(_ members: [Member], mtime: Int64) -> [UInt8] {
        var out: [UInt8] = []
        for m in members {
            out += header(name: m.name, size: m.data.count, mtime: mtime)
            out += m.data
            out += padding(after: m.data.count)
        }
        return out + end
    }

    /// The 512-byte header of a regular file, for writers that stream the member's data themselves.
    public static func header(name: String, size: Int, mtime: Int64) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (i, b) in text.utf8.prefix(width).enumerated() { header[offset + i] = b }
        }
        func octal(_ value: Int64, at offset: Int, width: Int) {
            put(String(value, radix: 8).leftPadded(width - 1), at: offset, width: width - 1)
        }
        put(name, at: 0, width: 100)
        octal(0o644, at: 100, width: 8)
        octal(0, at: 108, width: 8)
        octal(0, at: 116, width: 8)
        octal(Int64(size), at: 124, width: 12)
        octal(mtime, at: 136, width: 12)
        put("        ", at: 148, width: 8)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        let sum = header.reduce(0) { $0 + Int64($1) }
        put(String(sum, radix: 8).leftPadded(6), at: 148, width: 6)
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        return header
    }

    /// Zeros that bring a member of `size` bytes to a whole number of 512-byte blocks.
    public static func padding(after size: Int) -> [UInt8] { [UInt8](repeating: 0, count: (512 - size % 512) % 512) }

    /// Two zero blocks: the end of the archive.
    public static let end = [UInt8](repeating: 0, count: 1024)

    /// Bytes a member of `size` bytes takes, header and padding included.
    public static func memberLength(size: Int) -> Int { 512 + (size + 511) / 512 * 512 }

    /// The members of an archive in the form ``write(_:mtime:)`` produces, refusing everything else.
    ///
    /// Refused, with the byte offset of the header at fault: a checksum that is wrong or not six
    /// octal digits, a NUL and a space (as Aula, GNU tar and Python write it); any member that is
    /// not a regular file (typeflag `0` or NUL), in particular pax headers (`x`, `g`), GNU long
    /// names (`L`, `K`), links and directories; a magic other than POSIX `ustar\0` `00`; a
    /// non-empty ustar prefix (tar would put the member under that folder); a name that is empty,
    /// `.` or `..`, has `/`, `\`, spaces, control or non-ASCII bytes, or anything after its NUL;
    /// two members whose names are equal ignoring ASCII case (tar would overwrite the first with
    /// the second); numeric fields that are not plain octal digits from their first byte (base-256,
    /// signs, a leading NUL or space: GNU tar and Python read these differently); a mode with more
    /// than permission bits (tar run as root would keep set-user-ID); a link name,
    /// owner name with garbage, or any other byte Aula leaves zero; padding that is not zero; a
    /// member cut short; and an end marker that is missing, shorter than two zero blocks, or
    /// followed by anything but zeros. (GNU tar stops at the first zero block, as Python does, but
    /// with `--ignore-zeros` reads on: with only zeros after it, both ways find nothing more.)
    ///
    /// Never traps, whatever the input.
    public static func read(_ bytes: [UInt8]) throws -> [Member] {
        var members: [Member] = []
        var seen: [String: Int] = [:]
        var offset = 0
        while true {
            guard bytes.count - offset >= 512 else {
                throw FormatError(description: "the archive ends at byte \(bytes.count) without its end marker (truncated?)")
            }
            if isZero(bytes, offset..<offset + 512) {
                try checkEnd(bytes, at: offset)
                return members
            }
            let (name, size) = try parse(Array(bytes[offset..<offset + 512]), at: offset)
            if let first = seen[name.lowercased()] {
                throw FormatError(description: "tar header at byte \(offset): a second member named \"\(name)\" (the first is at byte \(first)); tar would extract the second over the first")
            }
            seen[name.lowercased()] = offset
            let start = offset + 512
            let blocks = size / 512 + (size % 512 == 0 ? 0 : 1)
            guard blocks <= (bytes.count - start) / 512 else {
                throw FormatError(description: "tar member \"\(name)\" at byte \(offset) is truncated: \(size) bytes announced, \(bytes.count - start) left")
            }
            let next = start + blocks * 512
            if let junk = firstNonZero(bytes, (start + size)..<next) {
                throw FormatError(description: "tar member \"\(name)\" at byte \(offset): the padding after its data is not zero (byte \(junk))")
            }
            members.append(Member(name: name, data: Array(bytes[start..<start + size])))
            offset = next
        }
    }

    /// The name and size of a regular file's header, or why it is refused.
    private static func parse(_ h: [UInt8], at offset: Int) throws -> (name: String, size: Int) {
        func fail(_ why: String) -> FormatError {
            FormatError(description: "tar header at byte \(offset) (\(quoted(h[0..<100]))): \(why)")
        }
        // The checksum first: a header that fails it is not a header at all.
        // As Aula, GNU tar and Python write it: six octal digits, a NUL and a space.
        guard h[148..<154].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }), h[154] == 0, h[155] == 0x20 else {
            throw fail("the checksum field \(quoted(h[148..<156], stopAtNUL: false)) is not six octal digits, a NUL and a space")
        }
        let stored = h[148..<154].reduce(Int64(0)) { $0 * 8 + Int64($1 - UInt8(ascii: "0")) }
        var unsigned: Int64 = 8 * 32   // the checksum field counts as spaces
        for i in 0..<148 { unsigned += Int64(h[i]) }
        for i in 156..<512 { unsigned += Int64(h[i]) }
        guard stored == unsigned else { throw fail("the checksum is wrong (stored \(stored), computed \(unsigned))") }

        switch h[156] {
        case UInt8(ascii: "0"), 0: break
        case let type: throw fail("type \(typeName(type)), not a regular file: an evidence package holds regular files only")
        }
        guard Array(h[257..<263]) == Array("ustar\0".utf8), Array(h[263..<265]) == Array("00".utf8) else {
            throw fail("magic \(quoted(h[257..<265], stopAtNUL: false)), not POSIX ustar (\"ustar\\0\" \"00\")")
        }
        if !isZero(h, 345..<500) {
            throw fail("a ustar prefix \(quoted(h[345..<500])): tar extracts the member as \"prefix/name\", not as its name")
        }
        let name = try checkedName(h[0..<100], fail)
        let size = try octal(h, 124..<136, "size", at: offset)
        for (range, field) in [(108..<116, "uid"), (116..<124, "gid"), (136..<148, "mtime")] {
            _ = try octal(h, range, field, at: offset)
        }
        // Permissions only: tar run as root would keep set-user-ID, set-group-ID and sticky bits.
        let mode = try octal(h, 100..<108, "mode", at: offset)
        if mode & ~0o777 != 0 { throw fail("the mode \(String(mode, radix: 8)) has bits beyond the permissions (set-user-ID, set-group-ID, sticky or a file type)") }
        for (range, field) in [(329..<337, "devmajor"), (337..<345, "devminor")] where !isZero(h, range) {
            _ = try octal(h, range, field, at: offset)
        }
        if !isZero(h, 157..<257) { throw fail("a link name \(quoted(h[157..<257])) on a regular file") }
        for (range, field) in [(265..<297, "owner name"), (297..<329, "group name")] {
            let text = h[range].prefix { $0 != 0 }
            guard text.allSatisfy({ $0 > 0x20 && $0 < 0x7f }), h[range].dropFirst(text.count).allSatisfy({ $0 == 0 }) else {
                throw fail("the \(field) field \(quoted(h[range], stopAtNUL: false)) is not printable ASCII followed by NULs")
            }
        }
        if !isZero(h, 500..<512) { throw fail("bytes 500 to 511 of the header, unused by ustar, are not zero") }
        guard let count = Int(exactly: size) else { throw fail("the size \(size) does not fit in memory") }
        return (name, count)
    }

    /// A member name as tar and Python extract it to the same single file, nothing else.
    private static func checkedName(_ field: ArraySlice<UInt8>, _ fail: (String) -> FormatError) throws -> String {
        let raw = field.prefix { $0 != 0 }
        if field.dropFirst(raw.count).contains(where: { $0 != 0 }) {
            throw fail("the name field has bytes after its terminating NUL (\(quoted(field, stopAtNUL: false)))")
        }
        if raw.isEmpty { throw fail("the member has no name") }
        if raw.contains(UInt8(ascii: "/")) || raw.contains(UInt8(ascii: "\\")) {
            throw fail("the name has a path separator: tar would extract it into a folder (or out of it)")
        }
        if raw.elementsEqual(".".utf8) || raw.elementsEqual("..".utf8) { throw fail("the name is \".\" or \"..\"") }
        if let bad = raw.first(where: { $0 <= 0x20 || $0 >= 0x7f }) {
            throw fail("the name has the byte 0x\(String(bad, radix: 16)) (only printable ASCII without spaces is accepted)")
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A numeric field as Aula writes it, which GNU tar and Python read alike: octal digits from
    /// its first byte, then a NUL or a space, then only NULs and spaces.
    private static func octal(_ h: [UInt8], _ range: Range<Int>, _ field: String, at offset: Int) throws -> Int64 {
        var value: Int64 = 0
        var digits = 0
        var i = range.lowerBound
        while i < range.upperBound, h[i] >= UInt8(ascii: "0"), h[i] <= UInt8(ascii: "7") {
            value = value * 8 + Int64(h[i] - UInt8(ascii: "0"))   // at most 11 digits: no overflow
            digits += 1
            i += 1
        }
        let rest = h[i..<range.upperBound]
        guard digits > 0, digits < range.count, rest.allSatisfy({ $0 == 0 || $0 == 0x20 }) else {
            let why = h[range.lowerBound] & 0x80 != 0 ? "a base-256 number" : "not plain octal digits ended by a NUL or space"
            throw FormatError(description: "tar header at byte \(offset) (\(quoted(h[0..<100]))): the \(field) field \(quoted(h[range], stopAtNUL: false)) is \(why)")
        }
        return value
    }

    /// After the first zero block: a second one, then nothing but zeros.
    private static func checkEnd(_ bytes: [UInt8], at offset: Int) throws {
        guard bytes.count - offset >= 1024 else {
            throw FormatError(description: "the end-of-archive marker at byte \(offset) is one zero block, not two (truncated?)")
        }
        if let junk = firstNonZero(bytes, offset..<bytes.count) {
            throw FormatError(description: "data after the end-of-archive marker at byte \(offset) (byte \(junk) is not zero): tar --ignore-zeros would extract what follows, unverified")
        }
    }

    /// Plain loops: the reader is also run unoptimised, in tests, on thousands of variants.
    private static func firstNonZero(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        for i in range where bytes[i] != 0 { return i }
        return nil
    }

    private static func isZero(_ bytes: [UInt8], _ range: Range<Int>) -> Bool { firstNonZero(bytes, range) == nil }

    private static func typeName(_ type: UInt8) -> String {
        let names: [UInt8: String] = [
            UInt8(ascii: "1"): "hard link", UInt8(ascii: "2"): "symbolic link", UInt8(ascii: "3"): "character device",
            UInt8(ascii: "4"): "block device", UInt8(ascii: "5"): "directory", UInt8(ascii: "6"): "FIFO",
            UInt8(ascii: "7"): "contiguous file", UInt8(ascii: "x"): "pax extended header",
            UInt8(ascii: "g"): "pax global header", UInt8(ascii: "L"): "GNU long name", UInt8(ascii: "K"): "GNU long link name",
            UInt8(ascii: "S"): "GNU sparse file", UInt8(ascii: "V"): "GNU volume label", UInt8(ascii: "M"): "GNU multi-volume continuation",
            UInt8(ascii: "D"): "GNU dump directory",
        ]
        let flag = type > 0x20 && type < 0x7f ? "'\(Character(Unicode.Scalar(type)))'" : "0x\(String(type, radix: 16))"
        return "\(flag) (\(names[type] ?? "unknown"))"
    }

    /// Bytes of a header field for an error message: printable ASCII as is, the rest escaped.
    private static func quoted(_ bytes: ArraySlice<UInt8>, stopAtNUL: Bool = true) -> String {
        let field: ArraySlice<UInt8>
        if stopAtNUL {
            field = bytes.prefix { $0 != 0 }
        } else {
            field = bytes[bytes.startIndex..<(bytes.lastIndex { $0 != 0 }.map { $0 + 1 } ?? bytes.startIndex)]
        }
        var out = "\""
        for b in field.prefix(60) {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += "\\" + String(Character(Unicode.Scalar(b)))
            case 0x20..<0x7f: out.append(Character(Unicode.Scalar(b)))
            default: out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }
        }
        return out + (field.count > 60 ? "…\"" : "\"")
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
