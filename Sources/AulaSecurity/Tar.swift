import Foundation

/// A minimal POSIX ustar archive: regular files only, names under 100 bytes.
///
/// Evidence packages are tar files so that anyone can open them with standard tools (`tar -xf`)
/// without Aula; Aula only needs to write and read back its own three members.
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

    public static func read(_ bytes: [UInt8]) throws -> [Member] {
        var members: [Member] = []
        var offset = 0
        while offset + 512 <= bytes.count {
            let header = Array(bytes[offset..<offset + 512])
            if header.allSatisfy({ $0 == 0 }) { return members }
            let stored = Int64(field(header, 148, 8), radix: 8)
            var copy = header
            for i in 148..<156 { copy[i] = UInt8(ascii: " ") }
            guard stored == copy.reduce(0, { $0 + Int64($1) }) else { throw FormatError(description: "tar header at byte \(offset) has a wrong checksum") }
            guard let size = Int(field(header, 124, 12), radix: 8), size >= 0 else { throw FormatError(description: "tar header at byte \(offset) has no size") }
            let start = offset + 512
            guard start + size <= bytes.count else { throw FormatError(description: "tar member \(field(header, 0, 100)) is truncated") }
            if header[156] == UInt8(ascii: "0") || header[156] == 0 {
                members.append(Member(name: field(header, 0, 100), data: Array(bytes[start..<start + size])))
            }
            offset = start + (size + 511) / 512 * 512
        }
        throw FormatError(description: "the archive has no end marker (truncated?)")
    }

    private static func field(_ header: [UInt8], _ offset: Int, _ width: Int) -> String {
        let raw = header[offset..<offset + width].prefix { $0 != 0 }
        return String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
