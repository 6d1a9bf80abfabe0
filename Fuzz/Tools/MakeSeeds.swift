// Writes the binary seed inputs of Fuzz/Corpus from Aula's own writers (packetisers, SDP, MP4),
// so that the fuzzers start from what cameras and the recorder really produce. The text seeds
// (RTSP, OSM, GeoJSON, CSV) are written by hand. Run by `scripts/fuzz.sh --make-seeds`.
import Foundation
@testable import Media

nonisolated(unsafe) let root = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Fuzz/Corpus"

func write(_ target: String, _ name: String, _ bytes: [UInt8]) {
    let directory = "\(root)/\(target)"
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(bytes))
}

/// A small, deterministic stream: a key frame with parameter sets, then non-key frames, with NAL
/// units from a few bytes to several MTUs long (so single, aggregated and fragmented packets).
func accessUnits(_ codec: VideoCodec) -> [[[UInt8]]] {
    let sets = codec == .h264 ? fuzzH264Sets : fuzzH265Sets
    var state: UInt32 = 0x2545_F491
    func filler(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in state ^= state << 13; state ^= state >> 17; state ^= state << 5; return UInt8(truncatingIfNeeded: state) | 1 }
    }
    func nal(_ type: UInt8, _ size: Int) -> [UInt8] {
        codec == .h264 ? [0x60 | type] + filler(size - 1) : [type << 1, 1] + filler(size - 2)
    }
    let (key, nonKey, sei): (UInt8, UInt8, UInt8) = codec == .h264 ? (5, 1, 6) : (19, 1, 39)
    var units: [[[UInt8]]] = [[sets.vps, sets.sps, sets.pps].compactMap { $0 } + [nal(sei, 6), nal(key, 700)]]
    for size in [30, 260, 12] { units.append([nal(nonKey, size)]) }
    units.append([nal(key, 90), nal(key, 40)])
    return units
}

func packets(_ codec: VideoCodec, mtu: Int) -> [RTPPacket] {
    var packetizer = makePacketizer(codec: codec, mtu: mtu, payloadType: 96, ssrc: 0x1234, initialSequenceNumber: 0xFFFE)
    var timestamp: UInt32 = 0xFFFF_F000
    var out: [RTPPacket] = []
    for unit in accessUnits(codec) {
        out += packetizer.packetize(nalUnits: unit, rtpTimestamp: timestamp)
        timestamp &+= 3000
    }
    return out
}

/// The depacketiser targets' record layout (Fuzz/Support/Depacketize.swift).
func depacketizerInput(_ packets: [RTPPacket], mode: UInt8) -> [UInt8] {
    var out: [UInt8] = [mode]
    var last = packets.first?.timestamp
    for packet in packets {
        precondition(packet.payload.count <= 255)
        out.append((packet.marker ? 1 : 0) | (packet.timestamp != last ? 8 : 0))
        out.append(UInt8(packet.payload.count))
        out += packet.payload
        last = packet.timestamp
    }
    return out
}

@main struct MakeSeeds {
    static func main() {
        for codec in VideoCodec.allCases {
            let name = codec.rawValue.lowercased().replacingOccurrences(of: ".", with: "")
            let stream = packets(codec, mtu: 200)
            write(name, "stream", depacketizerInput(stream, mode: 0))
            write(name, "stream-sdp-sets-reorder", depacketizerInput(Array(stream.dropFirst(2)), mode: 4 | 2))
            write(name, "small-mtu", depacketizerInput(packets(codec, mtu: 60), mode: 1))
            for (i, packet) in stream.prefix(4).enumerated() { write("rtp", "\(name)-\(i)", packet.serialized()) }

            // Parameter sets: mode byte + NAL unit; and an Annex B stream of all of them.
            let sets = codec == .h264 ? fuzzH264Sets : fuzzH265Sets
            if codec == .h264 {
                write("sps", "h264-sps", [0] + sets.sps!)
            } else {
                write("sps", "h265-sps", [1] + sets.sps!)
                write("sps", "h265-vps", [2] + sets.vps!)
            }
            write("sps", "\(name)-annexb", [3] + sets.annexB)

            // MP4: an init segment, a fragment, and the header of a recording as served.
            let parameters = try! VideoParameters(codec: codec, parameterSets: sets)
            let samples = accessUnits(codec).map { AVCCFormat.lengthPrefixed($0) }
            write("mp4", "\(name)-init", FragmentedMP4.initSegment(parameters: parameters))
            write("mp4", "\(name)-fragment", FragmentedMP4.fragment(
                sequenceNumber: 1, baseDecodeTime90k: 0, sample: MP4Sample(duration: 3000, size: UInt32(samples[0].count), isKeyFrame: true), payload: samples[0]))
            write("mp4", "\(name)-sample", samples[1])
            let segment = MP4Segment(parameters: parameters, samples: samples.enumerated().map {
                MP4Sample(duration: 3000, size: UInt32($0.element.count), isKeyFrame: $0.offset == 0 || $0.offset == 4)
            }, source: 0)
            write("mp4", "\(name)-recording-header", try! VirtualMP4(segments: [segment], creationTime: 1_750_000_000).header)

            // SDP as Aula's RTSP server describes the stream.
            var fmtp = ["packetization-mode": "1"]
            if codec == .h264 {
                fmtp["sprop-parameter-sets"] = Base64.encode(sets.sps!) + "," + Base64.encode(sets.pps!)
                fmtp["profile-level-id"] = "64001f"
            } else {
                fmtp = ["sprop-vps": Base64.encode(sets.vps!), "sprop-sps": Base64.encode(sets.sps!), "sprop-pps": Base64.encode(sets.pps!)]
            }
            let sdp = SessionDescription(sessionName: "Courtyard 3", sessionControl: "*", media: [
                MediaDescription(encodingName: codec == .h264 ? "H264" : "H265", control: "trackID=1", formatParameters: fmtp),
            ])
            write("sdp", name, Array(sdp.rendered().utf8))

            // RTSP: a DESCRIBE response carrying that SDP, then interleaved RTP and RTCP as after PLAY.
            let body = Array(sdp.rendered().utf8)
            var rtsp: [UInt8] = [0, codec == .h264 ? 0 : 1]  // chunking seed 0 (whole), options
            rtsp += Array("RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Base: rtsp://10.0.0.5/stream/\r\nContent-Type: application/sdp\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            rtsp += Array("RTSP/1.0 200 OK\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: 5c3a1f;timeout=60\r\n\r\n".utf8)
            for packet in stream.prefix(6) {
                let bytes = packet.serialized()
                rtsp += [0x24, 0, UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
            }
            rtsp += [0x24, 1, 0, 8, 0x80, 0xC8, 0, 1, 0, 0, 0x12, 0x34]  // a (truncated) RTCP sender report
            write("rtsp", "\(name)-session", rtsp)
            rtsp[0] = 37  // the same bytes in chunks of 1 to 97 bytes
            write("rtsp", "\(name)-session-chunked", rtsp)
        }
        // RTP with CSRCs, a header extension and padding.
        write("rtp", "csrc-extension-padding", [0xB2, 0xE0, 0x04, 0xD2, 0, 1, 0xE2, 0x40, 0xDE, 0xAD, 0xBE, 0xEF,
                                                 0, 0, 0, 1, 0, 0, 0, 2, 0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0,
                                                 0x65, 0x88, 0x84, 0, 0, 3])
    }
}
