/// Collects one `m=` section while ``SessionDescription`` parses it.
struct MediaBuilder {
    var mediaType: String
    var port: Int
    var proto: String
    var payloadType: UInt8
    var rtpmap: (name: String, clockRate: Int)?
    var control: String?
    var formatParameters: [String: String] = [:]
    var attributes: [String] = []

    /// Parses `<media> <port>[/<count>] <proto> <fmt> ...`.
    init(mLine value: Substring, lineNumber: Int) throws(MediaError) {
        let fields = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 4 else {
            throw MediaError("SDP line \(lineNumber): m= needs media, port, protocol and format, got '\(value)'")
        }
        let portField = fields[1].split(separator: "/", omittingEmptySubsequences: false)[0]
        guard let port = Int(portField), (0...65_535).contains(port) else {
            throw MediaError("SDP line \(lineNumber): m= port '\(fields[1])' is not a number 0...65535")
        }
        guard let payloadType = UInt8(fields[3]), payloadType <= 127 else {
            throw MediaError("SDP line \(lineNumber): m= payload type '\(fields[3])' is not a number 0...127")
        }
        mediaType = String(fields[0])
        self.port = port
        proto = String(fields[2])
        self.payloadType = payloadType
    }

    mutating func add(attribute value: Substring, lineNumber: Int) throws(MediaError) {
        if let control = SessionDescription.attributeValue(value, name: "control") {
            self.control = control
        } else if let map = SessionDescription.attributeValue(value, name: "rtpmap") {
            // "96 H264/90000[/channels]"
            let fields = map.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, UInt8(fields[0]) != nil else {
                throw MediaError("SDP line \(lineNumber): a=rtpmap needs '<payload type> <encoding>/<clock rate>', got '\(map)'")
            }
            // Maps of other formats on the m= line are not described; drop them.
            guard UInt8(fields[0]) == payloadType else { return }
            let encoding = fields[1].trimmingSpaces().split(separator: "/", omittingEmptySubsequences: false)
            guard encoding.count >= 2, !encoding[1].isEmpty else {
                throw MediaError("SDP line \(lineNumber): a=rtpmap missing clock rate")
            }
            guard let rate = Int(encoding[1]), rate > 0 else {
                throw MediaError("SDP line \(lineNumber): a=rtpmap clock rate '\(encoding[1])' is not a positive number")
            }
            rtpmap = (String(encoding[0]), rate)
        } else if let fmtp = SessionDescription.attributeValue(value, name: "fmtp") {
            // "96 packetization-mode=1; profile-level-id=64001F; sprop-parameter-sets=Z0...,aM..."
            let fields = fmtp.split(separator: " ", maxSplits: 1)
            guard let first = fields.first, UInt8(first) == payloadType else { return }
            let body = fields.count > 1 ? fields[1] : ""
            for item in body.split(separator: ";") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = pair[0].trimmingSpaces().lowercased()
                guard !key.isEmpty else { continue }
                formatParameters[key] = pair.count > 1 ? String(pair[1].trimmingSpaces()) : ""
            }
        } else {
            attributes.append(String(value))
        }
    }

    func build() -> MediaDescription {
        // Without a map the format is unknown: an empty name, so the stream is simply not used.
        let encoding = rtpmap ?? MediaDescription.staticPayloadType(payloadType) ?? ("", 0)
        return MediaDescription(
            mediaType: mediaType, port: port, proto: proto, payloadType: payloadType,
            encodingName: encoding.0, clockRate: encoding.1, control: control,
            formatParameters: formatParameters, attributes: attributes)
    }
}
