import Testing
@testable import Media

/// Parameter sets produced by FFmpeg 5 (libx264 / libx265) from `testsrc`, and the avcC/hvcC
/// boxes FFmpeg's MP4 muxer wrote for them (`ffmpeg -i x.h264 -c copy x.mp4`), used as references.
enum Vectors {
    // libx264, -pix_fmt yuv420p, 1280x720 @ 25 fps: High, level 3.1.
    static let h264High720 = ParameterSets(
        sps: bytes("6764001facd9405005bb011000000300100000030320f1831960"),
        pps: bytes("68ebe3cb22c0"))
    static let h264High720avcC = bytes("""
        00000037617663430164001fffe1001a6764001facd9405005bb011000000300100000030320f18319600100
        0668ebe3cb22c0fdf8f800
        """)
    // 1278x718 @ 30 fps: needs frame cropping.
    static let h264High718 = ParameterSets(
        sps: bytes("6764001facd9405005beab0110000003001000000303c0f1831960"), pps: bytes("68ebe3cb22c0"))
    // -profile:v baseline, 640x480 @ 15 fps.
    static let h264Baseline480 = ParameterSets(
        sps: bytes("6742c016d900a03db0110000030001000003001e0f162e48"), pps: bytes("68cb83cb20"))
    // -pix_fmt yuv444p, 1920x1080 @ 25 fps: High 4:4:4 Predictive, scaling/chroma fields present.
    static let h264High444 = ParameterSets(
        sps: bytes("67f40028919b280f0044fc4e0220000003002000000641e30632c0"), pps: bytes("68ebe3c44844"))
    static let h264High444avcC = bytes("""
        000000386176634301f40028ffe1001b67f40028919b280f0044fc4e0220000003002000000641e30632c0
        01000668ebe3c44844fff8f800
        """)
    // -profile:v main -x264-params interlaced=1, 352x288: frame_mbs_only_flag = 0.
    static let h264MainInterlaced288 = ParameterSets(
        sps: bytes("674d4015eca0b096c044000003000400000300c87c50a658"), pps: bytes("68fba3cb20"))

    // libx265, yuv420p, 1920x1080 @ 25 fps: Main, level 4 (120).
    static let h265Main1080 = ParameterSets(
        vps: bytes("40010c01ffff016000000300900000030000030078959809"),
        sps: bytes("420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84"),
        pps: bytes("4401c172b46240"))
    static let h265Main1080hvcC = bytes("""
        000000776876634301016000000090000000000078f000fcfdf8f800000f03a00001001840010c01ffff0160
        00000300900000030000030078959809a10001002a420101016000000300900000030000030078a003c08010
        e596566924caf0168080000003008000000c84a2000100074401c172b46240
        """)
    // 1278x718: conformance window.
    static let h265Main718 = ParameterSets(
        vps: bytes("40010c01ffff01600000030090000003000003005d959809"),
        sps: bytes("42010101600000030090000003000003005da00280802d1d565959a4932bc05a020000030002000003003210"),
        pps: bytes("4401c172b46240"))
    // yuv420p10le 1280x720: Main 10, level 3.1 (93).
    static let h265Main10720 = ParameterSets(
        vps: bytes("40010c01ffff02200000030090000003000003005d959809"),
        sps: bytes("42010102200000030090000003000003005da00280802d1365959a4932bc05a02000000300200000030321"),
        pps: bytes("4401c172b46240"))
    static let h265Main10720hvcC = bytes("""
        00000078687663430102200000009000000000005df000fcfdfafa00000f03a00001001840010c01ffff0220
        0000030090000003000003005d959809a10001002b42010102200000030090000003000003005da00280802d
        1365959a4932bc05a02000000300200000030321a2000100074401c172b46240
        """)
}

@Suite struct VideoParametersTests {
    @Test func h264High720p() throws {
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264High720)
        #expect(parameters.width == 1280)
        #expect(parameters.height == 720)
        #expect(parameters.profile == "High")
        #expect(parameters.profileIDC == 100)
        #expect(parameters.levelIDC == 31)
        #expect(parameters.codecString == "avc1.64001F")
        #expect(parameters.fps == 25)
        #expect(parameters.sampleEntryBox == Vectors.h264High720avcC)
    }

    @Test func h264CroppedOddSize() throws {
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264High718)
        #expect(parameters.width == 1278)
        #expect(parameters.height == 718)
        #expect(parameters.fps == 30)
    }

    @Test func h264ConstrainedBaseline() throws {
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264Baseline480)
        #expect(parameters.width == 640)
        #expect(parameters.height == 480)
        #expect(parameters.profile == "Constrained Baseline")
        #expect(parameters.codecString == "avc1.42C016")
        #expect(parameters.fps == 15)
        // Baseline has no chroma extension in avcC.
        #expect(parameters.sampleEntryBox.count == 8 + 11 + Vectors.h264Baseline480.sps!.count + Vectors.h264Baseline480.pps!.count)
    }

    @Test func h264High444WithChromaFormat3() throws {
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264High444)
        #expect(parameters.width == 1920)
        #expect(parameters.height == 1080)
        #expect(parameters.profile == "High 4:4:4 Predictive")
        #expect(parameters.codecString == "avc1.F40028")
        #expect(parameters.sampleEntryBox == Vectors.h264High444avcC)
    }

    @Test func h264Interlaced() throws {
        let sps = try H264SequenceParameterSet(parsing: Vectors.h264MainInterlaced288.sps!)
        #expect(!sps.frameMBsOnly)
        #expect(sps.width == 352)
        #expect(sps.height == 288)
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264MainInterlaced288)
        #expect(parameters.profile == "Main")
        #expect(parameters.codecString == "avc1.4D4015")
    }

    @Test func h265Main1080p() throws {
        let parameters = try VideoParameters(codec: .h265, parameterSets: Vectors.h265Main1080)
        #expect(parameters.width == 1920)
        #expect(parameters.height == 1080)
        #expect(parameters.profile == "Main")
        #expect(parameters.profileIDC == 1)
        #expect(parameters.levelIDC == 120)
        #expect(parameters.codecString == "hvc1.1.6.L120.90")
        #expect(parameters.fps == 25)
        #expect(parameters.sampleEntryBox == Vectors.h265Main1080hvcC)
    }

    @Test func h265ConformanceWindow() throws {
        let parameters = try VideoParameters(codec: .h265, parameterSets: Vectors.h265Main718)
        #expect(parameters.width == 1278)
        #expect(parameters.height == 718)
        #expect(parameters.codecString == "hvc1.1.6.L93.90")
        #expect(parameters.fps == 25)  // x265 signals timing in the SPS VUI, not in the VPS
    }

    @Test func h265Main10() throws {
        let parameters = try VideoParameters(codec: .h265, parameterSets: Vectors.h265Main10720)
        #expect(parameters.width == 1280)
        #expect(parameters.height == 720)
        #expect(parameters.profile == "Main 10")
        #expect(parameters.codecString == "hvc1.2.4.L93.90")
        #expect(parameters.sampleEntryBox == Vectors.h265Main10720hvcC)
        let sps = try H265SequenceParameterSet(parsing: Vectors.h265Main10720.sps!)
        #expect(sps.bitDepthLuma == 10)
        #expect(sps.bitDepthChroma == 10)
        #expect(sps.chromaFormatIDC == 1)
    }

    @Test func hevcCodecStringWithTierSpaceAndConstraints() {
        var ptl = try! H265SequenceParameterSet(parsing: Vectors.h265Main1080.sps!).profileTierLevel
        ptl.profileSpace = 1
        ptl.tier = true
        ptl.levelIDC = 153
        ptl.constraintFlags = 0xB0_00_00_00_01_00
        #expect(VideoParameters.hevcCodecString(ptl) == "hvc1.A1.6.H153.B0.0.0.0.1")
    }

    @Test func missingParameterSetsAreNamed() {
        #expect(throws: MediaError("the camera sent H.264 without an SPS")) {
            try VideoParameters(codec: .h264, parameterSets: ParameterSets(pps: [0x68, 1]))
        }
        #expect(throws: MediaError("the camera sent H.264 without a PPS")) {
            try VideoParameters(codec: .h264, parameterSets: ParameterSets(sps: Vectors.h264High720.sps))
        }
        #expect(throws: MediaError("the camera sent H.265 without a VPS")) {
            try VideoParameters(codec: .h265, parameterSets: ParameterSets(sps: Vectors.h265Main1080.sps, pps: Vectors.h265Main1080.pps))
        }
    }

    @Test func truncatedSPSIsAnError() {
        let sps = Vectors.h264High720.sps!
        for length in 0..<8 {
            #expect(throws: MediaError.self) {
                try VideoParameters(codec: .h264, parameterSets: ParameterSets(sps: Array(sps.prefix(length)), pps: [0x68, 0xEB]))
            }
        }
        let error = #expect(throws: MediaError.self) {
            try H264SequenceParameterSet(parsing: Array(sps.prefix(6)))
        }
        #expect(error?.message.hasPrefix("H.264 SPS: truncated at") == true)
    }

    /// SDP sprop-parameter-sets → VideoParameters, the way the recorder uses them.
    @Test func fromSDPParameterSets() throws {
        let medium = MediaDescription(
            encodingName: "H264",
            formatParameters: ["sprop-parameter-sets": Base64.encode(Vectors.h264High720.sps!) + "," + Base64.encode(Vectors.h264High720.pps!)])
        #expect(medium.parameterSets == Vectors.h264High720)
        #expect(try VideoParameters(codec: .h264, parameterSets: medium.parameterSets).width == 1280)
    }
}
