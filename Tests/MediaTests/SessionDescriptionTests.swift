import PropertyBased
import Randomness
import Testing
@testable import Media

@Suite struct SessionDescriptionTests {
    /// The example session of RFC 4566, section 5.
    @Test func rfc4566Example() throws {
        let text = """
            v=0
            o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
            s=SDP Seminar
            i=A Seminar on the session description protocol
            u=http://www.example.com/seminars/sdp.pdf
            e=j.doe@example.com (Jane Doe)
            c=IN IP4 224.2.17.12/127
            t=2873397496 2873404696
            a=recvonly
            m=audio 49170 RTP/AVP 0
            m=video 51372 RTP/AVP 99
            a=rtpmap:99 h263-1998/90000

            """
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.sessionName == "SDP Seminar")
        #expect(sdp.sessionControl == nil)
        #expect(sdp.sessionAttributes == ["recvonly"])
        #expect(sdp.media == [
            MediaDescription(mediaType: "audio", port: 49170, payloadType: 0, encodingName: "PCMU", clockRate: 8000),
            MediaDescription(mediaType: "video", port: 51372, payloadType: 99, encodingName: "h263-1998", clockRate: 90000),
        ])
        #expect(sdp.media.allSatisfy { $0.codec == nil })
    }

    /// In the style of RFC 6184, section 8.2, with real parameter sets.
    @Test func rfc6184StyleH264() throws {
        let sps = Base64.encode(Vectors.h264Baseline480.sps!)
        let pps = Base64.encode(Vectors.h264Baseline480.pps!)
        let text = "v=0\r\no=- 0 0 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
            + "m=video 49170 RTP/AVP 98\r\n"
            + "a=rtpmap:98 H264/90000\r\n"
            + "a=fmtp:98 profile-level-id=42C016; packetization-mode=1; sprop-parameter-sets=\(sps),\(pps)\r\n"
        let sdp = try SessionDescription(parsing: text)
        let video = try #require(sdp.media.first)
        #expect(video.payloadType == 98)
        #expect(video.codec == .h264)
        #expect(video.clockRate == 90000)
        #expect(video.formatParameters["profile-level-id"] == "42C016")
        #expect(video.formatParameters["packetization-mode"] == "1")
        #expect(video.parameterSets == Vectors.h264Baseline480)
    }

    /// In the style of RFC 7798, section 7.2.
    @Test func rfc7798StyleH265() throws {
        let sets = Vectors.h265Main1080
        let text = """
            v=0
            o=- 0 0 IN IP4 192.0.2.1
            s=-
            t=0 0
            m=video 49170 RTP/AVP 98
            a=rtpmap:98 H265/90000
            a=fmtp:98 profile-id=1; sprop-vps=\(Base64.encode(sets.vps!)); sprop-sps=\(Base64.encode(sets.sps!)); sprop-pps=\(Base64.encode(sets.pps!))
            """
        let video = try #require(try SessionDescription(parsing: text).media.first)
        #expect(video.codec == .h265)
        #expect(video.parameterSets == sets)
        #expect(MediaDescription(encodingName: "HEVC").codec == .h265)
    }

    /// Shaped like a Hikvision camera's DESCRIBE answer: absolute control URLs, bandwidth lines,
    /// vendor attributes, a metadata stream.
    @Test func hikvisionLike() throws {
        let text = """
            v=0\r
            o=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64\r
            s=Media Presentation\r
            e=NONE\r
            b=AS:5050\r
            t=0 0\r
            a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast\r
            m=video 0 RTP/AVP 96\r
            c=IN IP4 0.0.0.0\r
            b=AS:5000\r
            a=recvonly\r
            a=x-dimensions:1920,1080\r
            a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast\r
            a=rtpmap:96 H264/90000\r
            a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z2QAH6zZQFAFuwEQAAADABAAAAMDIPGDGWA=,aOvjyyLA\r
            a=Media_header:MEDIAINFO=494D4B48010300000400000100000000000000000000000000000000000000000000000000000000;\r
            a=appversion:1.0\r
            m=application 0 RTP/AVP 107\r
            c=IN IP4 0.0.0.0\r
            b=AS:50\r
            a=recvonly\r
            a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=3?transportmode=unicast\r
            a=rtpmap:107 isapi.metadata/90000\r

            """
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.sessionName == "Media Presentation")
        #expect(sdp.sessionControl == "rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast")
        #expect(sdp.media.count == 2)
        let video = sdp.media[0]
        #expect(video.control == "rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast")
        #expect(video.codec == .h264)
        #expect(video.parameterSets == Vectors.h264High720)
        #expect(video.attributes.contains("x-dimensions:1920,1080"))
        #expect(sdp.media[1].encodingName == "isapi.metadata")
        #expect(sdp.media[1].codec == nil)
        #expect(try SessionDescription(parsing: sdp.rendered()) == sdp)
    }

    /// Shaped like cheaper cameras: LF only, session control "*", relative track control, junk
    /// lines, Base64 with bad characters and missing padding, H.265 sets all in one parameter.
    @Test func sloppyCamera() throws {
        let sets = Vectors.h265Main718
        let unpadded = Base64.encode(sets.sps!).filter { $0 != "=" }
        let text = """
            v=0
            o=- 1 1 IN IP4 0.0.0.0
            s=Session streamed by "IPCAM"
            this line means nothing
            a=control:*
            a=range:npt=0-
            m=video 0 RTP/AVP 96
            a=rtpmap:96 H265/90000
            a=fmtp:96 sprop-vps=!!not base64!!,\(Base64.encode(sets.vps!));SPROP-SPS=\(unpadded);sprop-pps=\(Base64.encode(sets.pps!))
            a=control:trackID=0
            m=audio 0 RTP/AVP 8
            a=control:trackID=1
            """
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.sessionControl == "*")
        #expect(sdp.sessionAttributes == ["range:npt=0-"])
        #expect(sdp.media[0].control == "trackID=0")
        #expect(sdp.media[0].parameterSets == sets)
        #expect(sdp.media[1].encodingName == "PCMA")
        #expect(sdp.media[1].clockRate == 8000)
        #expect(try SessionDescription(parsing: sdp.rendered()) == sdp)
    }

    @Test func junkParameterSetsAreIgnored() {
        let medium = MediaDescription(encodingName: "H264", formatParameters: ["sprop-parameter-sets": "@@@,,=,Z"])
        #expect(medium.parameterSets == ParameterSets())
    }

    @Test func errorsNameTheLine() {
        #expect(throws: MediaError("SDP line 7: a=rtpmap missing clock rate")) {
            try SessionDescription(parsing: "v=0\ns=x\nt=0 0\n\nm=video 0 RTP/AVP 96\na=control:a\na=rtpmap:96 H264\n")
        }
        #expect(throws: MediaError("SDP line 2: m= port 'x' is not a number 0...65535")) {
            try SessionDescription(parsing: "v=0\r\nm=video x RTP/AVP 96\r\n")
        }
        #expect(throws: MediaError("SDP line 1: m= payload type 'abc' is not a number 0...127")) {
            try SessionDescription(parsing: "m=video 0 RTP/AVP abc")
        }
        #expect(throws: MediaError("SDP line 3: m= needs media, port, protocol and format, got 'video 0'")) {
            try SessionDescription(parsing: "v=0\ns=-\nm=video 0")
        }
    }

    @Test func renderedIsWellFormed() throws {
        let sdp = SessionDescription(sessionControl: "*", media: [
            MediaDescription(encodingName: "H264", control: "trackID=0", formatParameters: ["packetization-mode": "1", "profile-level-id": "64001F"]),
        ])
        let text = sdp.rendered()
        #expect(text == """
            v=0\r
            o=- 0 0 IN IP4 127.0.0.1\r
            s=Aula\r
            c=IN IP4 0.0.0.0\r
            t=0 0\r
            a=control:*\r
            m=video 0 RTP/AVP 96\r
            a=rtpmap:96 H264/90000\r
            a=fmtp:96 packetization-mode=1;profile-level-id=64001F\r
            a=control:trackID=0\r

            """)
        #expect(try SessionDescription(parsing: text) == sdp)
    }

    @Test func renderedThenParsedIsIdentity() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let sdp = randomSessionDescription(&rng)
            let parsed = try SessionDescription(parsing: sdp.rendered())
            #expect(parsed == sdp)
        }
    }
}

private func randomWord(_ rng: inout SeededRandom, alphabet: String = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", length: ClosedRange<Int> = 1...12) -> String {
    let characters = Array(alphabet)
    let count = length.lowerBound + Int(rng.next() % UInt64(length.count))
    return String((0..<count).map { _ in characters[Int(rng.next() % UInt64(characters.count))] })
}

func randomSessionDescription(_ rng: inout SeededRandom) -> SessionDescription {
    let urlCharacters = "abcdefghijklmnopqrstuvwxyz0123456789:/?=&.*-_"
    var media: [MediaDescription] = []
    for _ in 0..<Int(rng.next() % 4) {
        var parameters: [String: String] = [:]
        for _ in 0..<Int(rng.next() % 5) {
            let value = rng.next() % 3 == 0 ? "" : randomWord(&rng, alphabet: "ABCDEFabcdef0123456789+/=,-", length: 1...40)
            parameters[randomWord(&rng, alphabet: "abcdefghijklmnopqrstuvwxyz-", length: 1...20)] = value
        }
        media.append(MediaDescription(
            mediaType: ["video", "audio", "application"][Int(rng.next() % 3)],
            port: Int(rng.next() % 65536),
            proto: ["RTP/AVP", "RTP/AVP/TCP", "RTP/SAVP"][Int(rng.next() % 3)],
            payloadType: UInt8(96 + rng.next() % 32),
            encodingName: randomWord(&rng, alphabet: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", length: 1...10),
            clockRate: Int(1 + rng.next() % 200_000),
            control: rng.next() % 4 == 0 ? nil : randomWord(&rng, alphabet: urlCharacters, length: 1...60),
            formatParameters: parameters,
            attributes: (0..<Int(rng.next() % 3)).map { _ in "x-" + randomWord(&rng, alphabet: urlCharacters + " ,", length: 1...30) }))
    }
    return SessionDescription(
        sessionName: randomWord(&rng, alphabet: "abc XYZ 123 -_\"'", length: 1...30),
        sessionControl: rng.next() % 3 == 0 ? nil : randomWord(&rng, alphabet: urlCharacters, length: 1...60),
        sessionAttributes: (0..<Int(rng.next() % 3)).map { _ in "x-" + randomWord(&rng, alphabet: urlCharacters, length: 1...30) },
        media: media)
}
