import Foundation
import Randomness
import Testing
@testable import Media

/// The `moov` box of a virtual MP4 (its header ends inside the `mdat` box).
func moovBox(_ mp4: VirtualMP4) throws -> MP4Box {
    let mdatHeader = Array(mp4.header.suffix(4)) == Array("mdat".utf8) ? 8 : 16
    let boxes = try MP4BoxReader.parse(Array(mp4.header.dropLast(mdatHeader)))
    return try #require(boxes.first { $0.type == "moov" })
}

@Suite struct MP4VirtualMP4Tests {
    /// Writes the file, checks its box structure, and returns what ffprobe says (after checking
    /// that neither ffprobe nor a full decode reports an error).
    func validate(_ mp4: VirtualMP4, data: [[UInt8]], sourceLocation: SourceLocation = #_sourceLocation) throws -> ProbeResult {
        let file = assemble(mp4, data: data)
        #expect(file.count == mp4.totalSize, sourceLocation: sourceLocation)
        let boxes = try MP4BoxReader.parse(file)
        #expect(boxes.map(\.type) == ["ftyp", "moov", "mdat"], sourceLocation: sourceLocation)
        let mdat = try #require(boxes.last)
        #expect(mdat.payloadRange.lowerBound == mp4.header.count, sourceLocation: sourceLocation)
        // stsz sizes add up to the mdat payload.
        let stsz = try #require(boxes[1].find("trak/mdia/minf/stbl/stsz"))
        let count = Int(MP4BoxReader.readUInt32(file, stsz.payloadRange.lowerBound + 8))
        #expect(count == mp4.sampleCount, sourceLocation: sourceLocation)
        let sizes = (0..<count).map { Int(MP4BoxReader.readUInt32(file, stsz.payloadRange.lowerBound + 12 + 4 * $0)) }
        #expect(sizes.reduce(0, +) == mdat.payloadRange.count, sourceLocation: sourceLocation)

        let directory = try TempDirectory()
        let path = directory.path("range.mp4")
        try Data(file).write(to: URL(fileURLWithPath: path))
        let probe = try FFprobe.probe(path)
        #expect(probe.stderr.isEmpty, "ffprobe: \(probe.stderr)", sourceLocation: sourceLocation)
        let decodeErrors = try FFprobe.decodeErrors(path)
        #expect(decodeErrors.isEmpty, "ffmpeg: \(decodeErrors)", sourceLocation: sourceLocation)
        return probe
    }

    @Test(arguments: [VideoCodec.h264, .h265])
    func wholeStream(codec: VideoCodec) throws {
        let stream = try EncodedStream.encode(codec)
        let (samples, data) = stream.samples()
        #expect(samples.allSatisfy { $0.compositionOffset == 0 && $0.duration == 3600 })
        let mp4 = try VirtualMP4(segments: [MP4Segment(parameters: stream.parameters, samples: samples, source: 7)], creationTime: 1_700_000_000)
        #expect(mp4.mediaDuration90k == 100 * 3600)
        #expect(mp4.parts == [.header(0..<mp4.header.count), .segment(index: 0, range: 0..<data.count)])
        let probe = try validate(mp4, data: [data])
        #expect(probe.codecName == (codec == .h264 ? "h264" : "hevc"))
        #expect(probe.width == 320)
        #expect(probe.height == 240)
        #expect(probe.frames == 100)
        #expect(abs((probe.duration ?? 0) - 4.0) <= 0.04)
        // No ctts without B-frames; the sample entry is the parameters' one.
        let moov = try moovBox(mp4)
        #expect(moov.find("trak/mdia/minf/stbl/ctts") == nil)
        let entry = try #require(moov.find("trak/mdia/minf/stbl/stsd")?.children.first)
        #expect(entry.type == (codec == .h264 ? "avc1" : "hvc1"))
        #expect(Array(mp4.header[entry.children[0].offset..<entry.children[0].offset + entry.children[0].size]) == stream.parameters.sampleEntryBox)
    }

    @Test(arguments: [VideoCodec.h264, .h265])
    func editListTrimsTheStart(codec: VideoCodec) throws {
        let stream = try EncodedStream.encode(codec)
        // Start at the key frame 25, show from frame 35 on, for 40 frames.
        let (samples, data) = stream.samples(25..<100)
        let segment = MP4Segment(parameters: stream.parameters, samples: samples, source: 0)
        let trimmed = try VirtualMP4(segments: [segment], trimStart90k: 10 * 3600, creationTime: 0)
        #expect(trimmed.duration90k == 65 * 3600)
        let probe = try validate(trimmed, data: [data])
        #expect(abs((probe.duration ?? 0) - 2.6) <= 0.04)
        #expect(probe.frames == 65)
        #expect(abs((probe.framePTS.first ?? -1) - 0) <= 0.001)

        let both = try VirtualMP4(segments: [segment], trimStart90k: 10 * 3600, trimmedDuration90k: 40 * 3600, creationTime: 0)
        let shorter = try validate(both, data: [data])
        #expect(abs((shorter.duration ?? 0) - 1.6) <= 0.04)
        #expect(shorter.frames == 40)
    }

    @Test(arguments: [VideoCodec.h264, .h265])
    func bFrames(codec: VideoCodec) throws {
        let stream = try EncodedStream.encode(codec, bFrames: 2)
        let (samples, data) = stream.samples()
        #expect(samples.contains { $0.compositionOffset != 0 })
        #expect(samples.allSatisfy { $0.compositionOffset >= 0 && $0.duration == 3600 })
        let mp4 = try VirtualMP4(segments: [MP4Segment(parameters: stream.parameters, samples: samples, source: 0)], creationTime: 0)
        let moov = try moovBox(mp4)
        #expect(moov.find("trak/mdia/minf/stbl/ctts") != nil)
        let probe = try validate(mp4, data: [data])
        #expect(probe.frames == 100)
        #expect(abs((probe.duration ?? 0) - 4.0) <= 0.04)
        #expect(probe.framePTS.count == 100)
        #expect(zip(probe.framePTS, probe.framePTS.dropFirst()).allSatisfy { $0 < $1 })
        // The edit list hides the initial composition delay: the first frame is shown at 0.
        #expect(abs((probe.framePTS.first ?? -1) - 0) <= 0.001)

        // Trimmed: from the key frame 25, skip 10 frames.
        let tail = stream.samples(25..<100)
        let trimmed = try VirtualMP4(segments: [MP4Segment(parameters: stream.parameters, samples: tail.samples, source: 0)], trimStart90k: 10 * 3600, creationTime: 0)
        let trimmedProbe = try validate(trimmed, data: [tail.data])
        #expect(trimmedProbe.frames == 65)
        #expect(abs((trimmedProbe.duration ?? 0) - 2.6) <= 0.04)
        #expect(abs((trimmedProbe.framePTS.first ?? -1) - 0) <= 0.001)
        #expect(zip(trimmedProbe.framePTS, trimmedProbe.framePTS.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func twoSegmentsFromDifferentFiles() throws {
        let stream = try EncodedStream.encode(.h264)
        let first = stream.samples(0..<50)
        let second = stream.samples(50..<100)
        let mp4 = try VirtualMP4(
            segments: [
                MP4Segment(parameters: stream.parameters, samples: first.samples, source: 11),
                MP4Segment(parameters: stream.parameters, samples: [], source: 12),
                MP4Segment(parameters: stream.parameters, samples: second.samples, source: 13),
            ],
            creationTime: 1_700_000_000)
        #expect(mp4.parts.count == 3)
        #expect(mp4.segmentOffsets[2] == mp4.header.count + first.data.count)
        let moov = try moovBox(mp4)
        let co64 = try #require(moov.find("trak/mdia/minf/stbl/co64"))
        #expect(MP4BoxReader.readUInt32(mp4.header, co64.payloadRange.lowerBound + 4) == 2)
        let probe = try validate(mp4, data: [first.data, [], second.data])
        #expect(probe.frames == 100)
        #expect(abs((probe.duration ?? 0) - 4.0) <= 0.04)
    }

    @Test(arguments: [VideoCodec.h264, .h265])
    func parametersChangeMidRange(codec: VideoCodec) throws {
        let small = try EncodedStream.encode(codec)
        let large = try EncodedStream.encode(codec, size: "352x288", frames: 50)
        #expect(small.parameters != large.parameters)
        let a = small.samples(0..<50)
        let b = large.samples()
        let mp4 = try VirtualMP4(
            segments: [
                MP4Segment(parameters: small.parameters, samples: a.samples, source: 1),
                MP4Segment(parameters: large.parameters, samples: b.samples, source: 2),
            ],
            creationTime: 0)
        let moov = try moovBox(mp4)
        #expect(moov.find("trak/mdia/minf/stbl/stsd")?.children.count == 2)
        let probe = try validate(mp4, data: [a.data, b.data])
        #expect(probe.frames == 100)
        #expect(abs((probe.duration ?? 0) - 4.0) <= 0.04)
    }

    @Test func largeFileUsesLargesizeAndVersion1Boxes() throws {
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264High720)
        // 5 GB of (unread) data in 1000 samples of 5 MB; and a creation time past 2040.
        let samples = (0..<1000).map { MP4Sample(duration: 3600, size: 5_000_000, isKeyFrame: $0 % 25 == 0) }
        let mp4 = try VirtualMP4(segments: [MP4Segment(parameters: parameters, samples: samples, source: 0)], creationTime: 2_300_000_000)
        #expect(mp4.totalSize == mp4.header.count + 5_000_000_000)
        let mdatStart = mp4.header.count - 16
        #expect(MP4BoxReader.readUInt32(mp4.header, mdatStart) == 1)
        #expect(String(decoding: mp4.header[(mdatStart + 4)..<(mdatStart + 8)], as: UTF8.self) == "mdat")
        let large = UInt64(MP4BoxReader.readUInt32(mp4.header, mdatStart + 8)) << 32 | UInt64(MP4BoxReader.readUInt32(mp4.header, mdatStart + 12))
        #expect(large == 5_000_000_016)
        let moov = try moovBox(mp4)
        let mvhd = try #require(moov.child("mvhd"))
        #expect(mp4.header[mvhd.payloadRange.lowerBound] == 1)  // version 1: 64-bit times
        let co64 = try #require(moov.find("trak/mdia/minf/stbl/co64"))
        #expect(MP4BoxReader.readUInt32(mp4.header, co64.payloadRange.lowerBound + 8) == 0)  // high word of offset
    }

    @Test func sameInputsSameBytes() throws {
        let parameters = try VideoParameters(codec: .h265, parameterSets: Vectors.h265Main1080)
        let samples = (0..<300).map { (index: Int) -> MP4Sample in
            let offset: Int32 = index % 3 == 0 ? 6000 : 0
            return MP4Sample(duration: 3000, size: UInt32(100 + index), isKeyFrame: index % 30 == 0, compositionOffset: offset)
        }
        let make = { () throws(MediaError) -> VirtualMP4 in
            try VirtualMP4(segments: [MP4Segment(parameters: parameters, samples: samples, source: 3)], trimStart90k: 9000, creationTime: 1_700_000_000)
        }
        #expect(try make().header == make().header)
    }

    @Test func rejectsBadInput() throws {
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264High720)
        let h265 = try VideoParameters(codec: .h265, parameterSets: Vectors.h265Main1080)
        let key = MP4Sample(duration: 3600, size: 10, isKeyFrame: true)
        let nonKey = MP4Sample(duration: 3600, size: 10, isKeyFrame: false)
        func attempt(_ segments: [MP4Segment], trim: Int64 = 0, duration: Int64? = nil) -> MediaError? {
            do {
                _ = try VirtualMP4(segments: segments, trimStart90k: trim, trimmedDuration90k: duration, creationTime: 0)
                return nil
            } catch {
                return error
            }
        }
        #expect(attempt([]) != nil)
        #expect(attempt([MP4Segment(parameters: parameters, samples: [], source: 0)]) != nil)
        #expect(attempt([MP4Segment(parameters: parameters, samples: [nonKey, key], source: 0)])?.message.contains("key frame") == true)
        var wrongLength = MP4Segment(parameters: parameters, samples: [key], source: 0)
        wrongLength.dataLength = 11
        #expect(attempt([wrongLength])?.message.contains("dataLength") == true)
        #expect(attempt([MP4Segment(parameters: parameters, samples: [key], source: 0), MP4Segment(parameters: h265, samples: [key], source: 1)]) != nil)
        let two = [MP4Segment(parameters: parameters, samples: [key, nonKey], source: 0)]
        #expect(attempt(two, trim: 7200) != nil)
        #expect(attempt(two, trim: -1) != nil)
        #expect(attempt(two, trim: 3600, duration: 3601) != nil)
        #expect(attempt(two, trim: 3600, duration: 0) != nil)
        #expect(attempt(two, trim: 3599, duration: 1) == nil)
    }

    @Test func partsForByteRangesReassembleTheFile() throws {
        var rng = SeededRandom(seed: 0x4D50_34)
        let parameters = try VideoParameters(codec: .h264, parameterSets: Vectors.h264High720)
        for _ in 0..<40 {
            var segments: [MP4Segment] = []
            var data: [[UInt8]] = []
            for index in 0..<Int(1 + rng.next() % 5) {
                let count = index == 0 ? Int(1 + rng.next() % 20) : Int(rng.next() % 20)
                let samples = (0..<count).map { MP4Sample(duration: 3600, size: UInt32(rng.next() % 300), isKeyFrame: $0 == 0) }
                let segment = MP4Segment(parameters: parameters, samples: samples, source: index)
                segments.append(segment)
                data.append(rng.bytes(segment.dataLength))
            }
            let mp4 = try VirtualMP4(segments: segments, creationTime: 0)
            let file = assemble(mp4, data: data)
            #expect(file.count == mp4.totalSize)
            for _ in 0..<50 {
                let a = Int(rng.next() % UInt64(file.count + 20)) - 10
                let b = Int(rng.next() % UInt64(file.count + 20)) - 10
                let range = min(a, b)..<max(a, b)
                var served: [UInt8] = []
                for part in mp4.parts(in: range) {
                    switch part {
                    case .header(let r): served += mp4.header[r]
                    case .segment(let index, let r): served += data[index][r]
                    }
                }
                let clipped = max(0, range.lowerBound)..<min(file.count, max(0, range.upperBound))
                #expect(served == (clipped.isEmpty ? [] : Array(file[clipped])), "range \(range)")
            }
        }
    }
}
