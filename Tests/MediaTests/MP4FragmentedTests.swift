import Foundation
import Randomness
import Testing
@testable import Media

@Suite struct MP4FragmentedTests {
    @Test(arguments: [(VideoCodec.h264, 0), (.h265, 0), (.h264, 2)])
    func initAndFragmentsDecode(codec: VideoCodec, bFrames: Int) throws {
        let stream = try EncodedStream.encode(codec, bFrames: bFrames)
        let (samples, _) = stream.samples()
        let initSegment = FragmentedMP4.initSegment(parameters: stream.parameters)
        let initBoxes = try MP4BoxReader.parse(initSegment)
        #expect(initBoxes.map(\.type) == ["ftyp", "moov"])
        #expect(initBoxes[1].find("mvex/trex") != nil)
        #expect(initBoxes[1].find("trak/mdia/minf/stbl/stsd")?.children.first?.type == (codec == .h264 ? "avc1" : "hvc1"))

        var file = initSegment
        var decodeTime: UInt64 = 0
        for (index, (unit, sample)) in zip(stream.units, samples).enumerated() {
            let fragment = FragmentedMP4.fragment(sequenceNumber: UInt32(index + 1), baseDecodeTime90k: decodeTime, sample: sample, data: unit.nalUnits)
            if index == 0 {
                let boxes = try MP4BoxReader.parse(fragment)
                #expect(boxes.map(\.type) == ["moof", "mdat"])
                #expect(boxes[0].find("traf/trun") != nil)
                #expect(boxes[1].payloadRange.count == AVCCFormat.lengthPrefixedSize(unit.nalUnits))
                #expect(fragment == FragmentedMP4.fragment(sequenceNumber: 1, baseDecodeTime90k: 0, sample: sample, payload: AVCCFormat.lengthPrefixed(unit.nalUnits)))
            }
            file += fragment
            decodeTime += UInt64(sample.duration)
        }
        let directory = try TempDirectory()
        let path = directory.path("live.mp4")
        try Data(file).write(to: URL(fileURLWithPath: path))
        let probe = try FFprobe.probe(path)
        #expect(probe.stderr.isEmpty, "ffprobe: \(probe.stderr)")
        #expect(probe.codecName == (codec == .h264 ? "h264" : "hevc"))
        #expect(probe.width == 320 && probe.height == 240)
        #expect(probe.frames == 100)
        #expect(probe.framePTS.count == 100)
        #expect(zip(probe.framePTS, probe.framePTS.dropFirst()).allSatisfy { $0 < $1 })
        let errors = try FFprobe.decodeErrors(path)
        #expect(errors.isEmpty, "ffmpeg: \(errors)")
    }

    @Test func fragmentLayout() throws {
        let sample = MP4Sample(duration: 3000, size: 0, isKeyFrame: false, compositionOffset: -3000)
        let fragment = FragmentedMP4.fragment(sequenceNumber: 9, baseDecodeTime90k: 1 << 40, sample: sample, data: [[0x41, 1, 2], [0x06]])
        let boxes = try MP4BoxReader.parse(fragment)
        let trun = try #require(boxes[0].find("traf/trun"))
        let start = trun.payloadRange.lowerBound
        #expect(fragment[start] == 1)  // version 1: signed composition offset
        #expect(MP4BoxReader.readUInt32(fragment, start) & 0xFFFFFF == 0xF01)
        #expect(MP4BoxReader.readUInt32(fragment, start + 4) == 1)
        #expect(Int(MP4BoxReader.readUInt32(fragment, start + 8)) == boxes[1].payloadRange.lowerBound)  // data offset from moof
        #expect(MP4BoxReader.readUInt32(fragment, start + 12) == 3000)
        #expect(MP4BoxReader.readUInt32(fragment, start + 16) == 12)
        #expect(MP4BoxReader.readUInt32(fragment, start + 20) == 0x0101_0000)
        #expect(Int32(bitPattern: MP4BoxReader.readUInt32(fragment, start + 24)) == -3000)
        #expect(Array(fragment[boxes[1].payloadRange]) == [0, 0, 0, 3, 0x41, 1, 2, 0, 0, 0, 1, 0x06])
        let tfdt = try #require(boxes[0].find("traf/tfdt"))
        #expect(MP4BoxReader.readUInt32(fragment, tfdt.payloadRange.lowerBound + 4) == 1 << 8)
        #expect(try AVCCFormat.split(Array(fragment[boxes[1].payloadRange])) == [[0x41, 1, 2], [0x06]])
    }

    @Test func boxReaderRejectsMalformedInput() {
        #expect(throws: MediaError.self) { try MP4BoxReader.parse([0, 0, 0, 4, 0x66, 0x72, 0x65, 0x65]) }
        #expect(throws: MediaError.self) { try MP4BoxReader.parse([0, 0, 0, 20, 0x66, 0x72, 0x65, 0x65]) }
        #expect(throws: MediaError.self) { try MP4BoxReader.parse([0, 0, 0, 8, 0x66]) }
        #expect(throws: MediaError.self) { try MP4BoxReader.parse([0, 0, 0, 12, 0x73, 0x74, 0x73, 0x64, 0, 0, 0, 0]) }
        #expect(throws: MediaError.self) { try AVCCFormat.split([0, 0, 0, 5, 1]) }
        var rng = SeededRandom(seed: 99)
        for _ in 0..<2000 {
            _ = try? MP4BoxReader.parse(rng.bytes(Int(rng.next() % 64)))
        }
    }
}
