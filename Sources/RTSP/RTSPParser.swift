/// Incremental parser for the byte stream of an RTSP connection.
///
/// Feed it whatever the socket delivered (fragments, several messages at once, messages mixed with
/// interleaved frames); it returns every complete frame and keeps the rest for the next call. It never
/// traps on bad input: malformed data yields an ``RTSPParseError`` naming what was wrong, and the
/// connection should then be closed, because RTSP has no way to resynchronise reliably.
public struct RTSPParser: Sendable {
    public var maxHeaderBytes = 64 * 1024
    public var maxBodyBytes = 1024 * 1024
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(RTSPParseError) -> [RTSPFrame] {
        buffer.append(contentsOf: bytes)
        var frames: [RTSPFrame] = []
        while let frame = try next() { frames.append(frame) }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        return frames
    }

    /// Bytes received but not yet forming a complete frame.
    public var pendingByteCount: Int { buffer.count - start }

    /// When the bytes held are the start of an interleaved frame: how many more it needs (to learn
    /// its length, or to be complete). Lets a caller feed just those and return to its fast path.
    public var interleavedBytesMissing: Int? {
        guard start < buffer.count, buffer[start] == 0x24 else { return nil }
        let have = buffer.count - start
        guard have >= 4 else { return 4 - have }
        let missing = 4 + (Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])) - have
        return missing > 0 ? missing : nil
    }

    private mutating func next() throws(RTSPParseError) -> RTSPFrame? {
        // Some cameras pad between frames with CR/LF; skip it.
        while start < buffer.count, buffer[start] == 0x0D || buffer[start] == 0x0A { start += 1 }
        guard start < buffer.count else { return nil }
        if buffer[start] == 0x24 {  // "$"
            guard buffer.count - start >= 4 else { return nil }
            let channel = buffer[start + 1]
            let length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            guard buffer.count - start >= 4 + length else { return nil }
            let payload = Array(buffer[(start + 4)..<(start + 4 + length)])
            start += 4 + length
            return .interleaved(channel: channel, payload: payload)
        }
        guard let headerEnd = findHeaderEnd() else {
            if buffer.count - start > maxHeaderBytes {
                throw RTSPParseError("message header is longer than \(maxHeaderBytes) bytes without an empty line")
            }
            return nil
        }
        let headerBytes = buffer[start..<headerEnd.lineEnd]
        guard let text = String(validating: headerBytes, as: UTF8.self) ?? String(validating: headerBytes, as: Unicode.ASCII.self) else {
            throw RTSPParseError("message header is not valid text")
        }
        // "\r\n" is one Character in Swift, so split on it as well as on a bare "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { throw RTSPParseError("empty start line") }
        let startLine = try Self.parseStartLine(first)
        var headers: [(name: String, value: String)] = []
        for (i, line) in lines.dropFirst().enumerated() {
            if let c = line.first, (c == " " || c == "\t"), !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingSpaces()  // obsolete line folding
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw RTSPParseError("header line \(i + 2) has no colon: \"\(line.prefix(60))\"")
            }
            let name = line[..<colon].trimmingSpaces()
            guard !name.isEmpty else { throw RTSPParseError("header line \(i + 2) has an empty name") }
            headers.append((name: name, value: line[line.index(after: colon)...].trimmingSpaces()))
        }
        var length = 0
        if let value = headers.first(where: { $0.name.lowercased() == "content-length" })?.value {
            guard let n = Int(value), n >= 0 else { throw RTSPParseError("Content-Length \"\(value.prefix(20))\" is not a number") }
            guard n <= maxBodyBytes else { throw RTSPParseError("Content-Length \(n) exceeds the limit of \(maxBodyBytes) bytes") }
            length = n
        }
        guard buffer.count - headerEnd.bodyStart >= length else { return nil }
        let body = Array(buffer[headerEnd.bodyStart..<(headerEnd.bodyStart + length)])
        start = headerEnd.bodyStart + length
        return .message(RTSPMessage(startLine: startLine, headers: headers, body: body))
    }

    /// Finds the empty line ending the header block (CRLFCRLF, or bare LFLF from sloppy servers).
    private func findHeaderEnd() -> (lineEnd: Int, bodyStart: Int)? {
        var i = start
        while i < buffer.count {
            if buffer[i] == 0x0A {
                if i + 1 < buffer.count, buffer[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < buffer.count, buffer[i + 1] == 0x0D, buffer[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    static func parseStartLine(_ line: String) throws(RTSPParseError) -> RTSPMessage.StartLine {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        if line.hasPrefix("RTSP/") {
            guard parts.count >= 2, let status = Int(parts[1]), (100...999).contains(status) else {
                throw RTSPParseError("status line \"\(line.prefix(60))\" has no valid status code")
            }
            return .response(status: status, reason: parts.count > 2 ? String(parts[2]) : "")
        }
        guard parts.count == 3, parts[2].hasPrefix("RTSP/") || parts[2].hasPrefix("HTTP/") else {
            throw RTSPParseError("start line \"\(line.prefix(60))\" is neither an RTSP request nor a response")
        }
        guard parts[0].allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw RTSPParseError("request method \"\(parts[0].prefix(20))\" is not a word")
        }
        return .request(method: String(parts[0]), uri: String(parts[1]))
    }
}

/// A malformed RTSP byte stream, described for the log and the camera status.
public struct RTSPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "malformed RTSP: \(message)" }
}
