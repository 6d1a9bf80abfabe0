/// A small pull scanner for the XML subset OpenStreetMap writes: elements with attributes, comments,
/// processing instructions, a DOCTYPE and character data (skipped). It tracks line numbers so a
/// broken file is reported as `line 88: …`, and checks that elements nest.
struct XMLScanner {
    /// One start or end tag.
    struct Tag {
        var name: String
        var attributes: [String: String]
        /// `<a/>`: a start tag that also ends the element.
        var selfClosing: Bool
        var isEnd: Bool
        var line: Int
    }

    private let bytes: [UInt8]
    private var pos = 0
    private(set) var line = 1
    private var open: [(name: String, line: Int)] = []

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ reason: String, at l: Int? = nil) -> ImportError {
        ImportError(element: "line \(l ?? line)", reason: reason)
    }

    private var unexpectedEnd: ImportError { error("unexpected end of document") }

    /// The next tag, or nil at a well-formed end of the document.
    mutating func next() throws -> Tag? {
        while true {
            // Character data between tags is of no interest to OSM; only count its lines.
            while pos < bytes.count, bytes[pos] != UInt8(ascii: "<") {
                if bytes[pos] == 10 { line += 1 }
                pos += 1
            }
            guard pos < bytes.count else {
                if let top = open.last {
                    throw error("unexpected end of document (<\(top.name)> from line \(top.line) is not closed)")
                }
                return nil
            }
            pos += 1
            guard pos < bytes.count else { throw unexpectedEnd }
            switch bytes[pos] {
            case UInt8(ascii: "?"): try skip(past: "?>")
            case UInt8(ascii: "!"):
                if starts(with: "!--") { try skip(past: "-->") } else if starts(with: "![CDATA[") { try skip(past: "]]>") } else { try skip(past: ">") }
            case UInt8(ascii: "/"):
                pos += 1
                let start = line
                let name = try readName()
                skipSpace()
                guard pos < bytes.count else { throw unexpectedEnd }
                guard bytes[pos] == UInt8(ascii: ">") else { throw error("expected '>' after </\(name)") }
                pos += 1
                guard let top = open.popLast() else { throw error("closing </\(name)> without an open element") }
                guard top.name == name else {
                    throw error("closing </\(name)> does not match <\(top.name)> from line \(top.line)")
                }
                return Tag(name: name, attributes: [:], selfClosing: false, isEnd: true, line: start)
            default:
                return try readStartTag()
            }
        }
    }

    private mutating func readStartTag() throws -> Tag {
        let start = line
        let name = try readName()
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard pos < bytes.count else { throw unexpectedEnd }
            let c = bytes[pos]
            if c == UInt8(ascii: ">") {
                pos += 1
                open.append((name, start))
                return Tag(name: name, attributes: attributes, selfClosing: false, isEnd: false, line: start)
            }
            if c == UInt8(ascii: "/") {
                pos += 1
                guard pos < bytes.count else { throw unexpectedEnd }
                guard bytes[pos] == UInt8(ascii: ">") else { throw error("expected '>' after '/' in <\(name)>") }
                pos += 1
                return Tag(name: name, attributes: attributes, selfClosing: true, isEnd: false, line: start)
            }
            let key = try readName()
            skipSpace()
            guard pos < bytes.count else { throw unexpectedEnd }
            guard bytes[pos] == UInt8(ascii: "=") else { throw error("attribute \(key) of <\(name)> has no value") }
            pos += 1
            skipSpace()
            guard pos < bytes.count else { throw unexpectedEnd }
            let quote = bytes[pos]
            guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw error("attribute \(key) of <\(name)> is not quoted")
            }
            pos += 1
            let valueStart = pos
            while pos < bytes.count, bytes[pos] != quote {
                if bytes[pos] == UInt8(ascii: "<") { throw error("'<' inside attribute \(key) of <\(name)>") }
                if bytes[pos] == 10 { line += 1 }
                pos += 1
            }
            guard pos < bytes.count else { throw unexpectedEnd }
            let raw = bytes[valueStart..<pos]
            pos += 1
            attributes[key] = try decodeEntities(raw)
        }
    }

    private mutating func readName() throws -> String {
        let start = pos
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 32 || c == 9 || c == 10 || c == 13 || c == UInt8(ascii: ">") || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "=")
            {
                break
            }
            pos += 1
        }
        guard pos < bytes.count else { throw unexpectedEnd }
        guard pos > start else { throw error("expected a name") }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    private mutating func skipSpace() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 10 { line += 1 } else if c != 32 && c != 9 && c != 13 { return }
            pos += 1
        }
    }

    private func starts(with s: String) -> Bool {
        let u = Array(s.utf8)
        return pos + u.count <= bytes.count && bytes[pos..<(pos + u.count)].elementsEqual(u)
    }

    private mutating func skip(past terminator: String) throws {
        let t = Array(terminator.utf8)
        while pos + t.count <= bytes.count {
            if bytes[pos] == t[0], bytes[pos..<(pos + t.count)].elementsEqual(t) {
                pos += t.count
                return
            }
            if bytes[pos] == 10 { line += 1 }
            pos += 1
        }
        throw unexpectedEnd
    }

    /// Resolves the five predefined entities and numeric character references.
    private func decodeEntities(_ raw: ArraySlice<UInt8>) throws -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        var i = raw.startIndex
        while i < raw.endIndex {
            guard raw[i] == UInt8(ascii: "&") else {
                out.append(raw[i])
                i += 1
                continue
            }
            guard let semi = raw[i...].firstIndex(of: UInt8(ascii: ";")) else { throw error("unterminated entity") }
            let name = String(decoding: raw[(i + 1)..<semi], as: UTF8.self)
            switch name {
            case "amp": out.append(UInt8(ascii: "&"))
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let scalarValue: UInt32?
                if name.hasPrefix("#x") { scalarValue = UInt32(name.dropFirst(2), radix: 16) } else if name.hasPrefix("#") { scalarValue = UInt32(name.dropFirst()) } else { scalarValue = nil }
                guard let v = scalarValue, let scalar = Unicode.Scalar(v) else { throw error("unknown entity &\(name);") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = semi + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
