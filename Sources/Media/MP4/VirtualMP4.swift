/// The layout of a complete, non-fragmented `.mp4` for a time range, built from the index alone.
///
/// The file is `ftyp`, `moov` (generated here, see below) and one `mdat` whose payload is the
/// segments' bytes back to back, in order. Only ``header`` (every byte before the first sample byte)
/// is held in memory; the rest of the file is byte ranges of the caller's sample files, which
/// ``parts(in:)`` lists for any HTTP byte range. The same inputs always give the same bytes, so a
/// hash of the inputs (or of ``header`` and the segment sources) can serve as an ETag.
///
/// `moov` holds `mvhd` (timescale 90000), one video `trak` with `tkhd`, `edts`/`elst` (one edit
/// that skips ``trimStart90k`` of media time and any initial composition delay, so playback shows the
/// requested start first while decoding starts at the preceding key frame), and `mdia` with `mdhd`
/// (timescale 90000), `hdlr`, and `minf` with `vmhd`, `dinf` and `stbl`: `stsd` (one `avc1`/`hvc1`
/// entry per distinct ``VideoParameters``, in order of first use), `stts`, `ctts` (only if some
/// composition offset is nonzero; version 1 only if one is negative), `stss`, `stsz`, `stsc` (one
/// chunk per segment, with its sample description) and `co64`.
public struct VirtualMP4: Sendable {
    /// A piece of the file: bytes of ``header`` or of one segment's data.
    public enum Part: Sendable, Equatable, Hashable {
        /// A range of ``VirtualMP4/header``.
        case header(Range<Int>)
        /// A range within the data of `segments[index]` (0 is that segment's first byte).
        case segment(index: Int, range: Range<Int>)
    }

    /// ftyp + moov + the mdat box header.
    public let header: [UInt8]
    /// The size of the whole file: `header.count` plus the segments' data.
    public let totalSize: Int
    /// The whole file in order: the header, then each segment with data.
    public let parts: [Part]
    /// For each segment, the file offset of its first byte.
    public let segmentOffsets: [Int]
    /// The sum of all sample durations (90 kHz).
    public let mediaDuration90k: Int64
    /// What plays after the edit list: ``mediaDuration90k`` minus the trimmed start, or the
    /// requested trimmed duration (90 kHz).
    public let duration90k: Int64
    /// The media time skipped at the start by the edit list (90 kHz).
    public let trimStart90k: Int64
    /// The number of samples in the file.
    public let sampleCount: Int

    /// Changes whenever the bytes written for the same inputs change; include it in ETags.
    public static let formatVersion = 1
    /// The timescale of `mvhd` and `mdhd`.
    public static let timescale: UInt32 = 90_000
    /// The most samples one file may hold (the sample tables must stay well below 4 GiB).
    public static let maxSamples = 20_000_000

    /// Lays out the file.
    ///
    /// - Parameters:
    ///   - segments: the samples in decoding order, as runs of bytes. Segments without samples are
    ///     allowed and contribute nothing. All must have the same codec.
    ///   - trimStart90k: media time to skip at the start (an edit list), typically from the
    ///     preceding key frame to the requested start.
    ///   - trimmedDuration90k: how much to play after the skipped start; `nil` for everything left.
    ///   - creationTime: seconds since 1970, written into `mvhd`, `tkhd` and `mdhd`.
    /// - Throws: ``MediaError`` when there is no sample, a segment's `dataLength` is not the sum of
    ///   its sample sizes, codecs are mixed, the first sample (or the first after a change of
    ///   parameters) is not a key frame, or the trim lies outside the media.
    public init(segments: [MP4Segment], trimStart90k: Int64 = 0, trimmedDuration90k: Int64? = nil, creationTime: Int64) throws(MediaError) {
        // Validate and gather the sample descriptions.
        var descriptions: [VideoParameters] = []
        var chunkDescription: [Int] = []  // per segment (1-based), 0 for an empty segment
        var sampleCount = 0
        var mediaDuration: Int64 = 0
        var dataLength = 0
        var previous: VideoParameters?
        for (index, segment) in segments.enumerated() {
            var sum = 0
            for sample in segment.samples {
                sum += Int(sample.size)
                mediaDuration += Int64(sample.duration)
            }
            guard sum == segment.dataLength else {
                throw MediaError("MP4 segment \(index): dataLength \(segment.dataLength) is not the sum of its sample sizes (\(sum))")
            }
            guard let first = segment.samples.first else {
                chunkDescription.append(0)
                continue
            }
            if let codec = descriptions.first?.codec, codec != segment.parameters.codec {
                throw MediaError("MP4 segment \(index): \(segment.parameters.codec.rawValue) cannot follow \(codec.rawValue) in one track")
            }
            if previous != segment.parameters && !first.isKeyFrame {
                throw MediaError(previous == nil
                    ? "MP4 segment \(index): the first sample must be a key frame"
                    : "MP4 segment \(index): the first sample after a change of codec parameters must be a key frame")
            }
            previous = segment.parameters
            if let known = descriptions.firstIndex(of: segment.parameters) {
                chunkDescription.append(known + 1)
            } else {
                descriptions.append(segment.parameters)
                chunkDescription.append(descriptions.count)
            }
            sampleCount += segment.samples.count
            dataLength += segment.dataLength
        }
        guard sampleCount > 0 else {
            throw MediaError("MP4: no samples in the requested range")
        }
        guard sampleCount <= Self.maxSamples else {
            throw MediaError("MP4: \(sampleCount) samples exceed the limit of \(Self.maxSamples) for one file")
        }
        guard trimStart90k >= 0 && trimStart90k < mediaDuration else {
            throw MediaError("MP4: trimStart90k \(trimStart90k) is outside the media (0..<\(mediaDuration))")
        }
        let duration = trimmedDuration90k ?? mediaDuration - trimStart90k
        guard duration > 0 && duration <= mediaDuration - trimStart90k else {
            throw MediaError("MP4: trimmedDuration90k \(duration) must be positive and at most \(mediaDuration - trimStart90k) after a trim of \(trimStart90k)")
        }

        self.mediaDuration90k = mediaDuration
        self.duration90k = duration
        self.trimStart90k = trimStart90k
        self.sampleCount = sampleCount

        let layout = Layout(
            segments: segments, descriptions: descriptions, chunkDescription: chunkDescription,
            mediaDuration: mediaDuration, trimStart: trimStart90k, duration: duration,
            time: max(0, creationTime &+ MP4Boxes.epochOffset))

        var ftyp = MP4Writer()
        MP4Boxes.ftyp(&ftyp, major: "isom", minor: 0x200, compatible: ["isom", "iso2"] + MP4Boxes.codecBrands(descriptions.map(\.codec)) + ["mp41"])
        let mdatHeaderSize = dataLength + 8 <= Int(UInt32.max) ? 8 : 16
        // The size of moov does not depend on the chunk offsets (co64 entries are 8 bytes each).
        let moovSize = layout.moov(dataStart: 0).count
        let dataStart = ftyp.bytes.count + moovSize + mdatHeaderSize
        var header = ftyp.bytes
        header.reserveCapacity(dataStart)
        header += layout.moov(dataStart: dataStart)
        if mdatHeaderSize == 8 {
            header.appendBigEndian(UInt32(dataLength + 8))
            header += Array("mdat".utf8)
        } else {
            header.appendBigEndian(UInt32(1))
            header += Array("mdat".utf8)
            let large = UInt64(dataLength + 16)
            header.appendBigEndian(UInt32(truncatingIfNeeded: large >> 32))
            header.appendBigEndian(UInt32(truncatingIfNeeded: large))
        }
        self.header = header
        self.totalSize = dataStart + dataLength

        var parts: [Part] = [.header(0..<header.count)]
        var offsets: [Int] = []
        var offset = dataStart
        for (index, segment) in segments.enumerated() {
            offsets.append(offset)
            if segment.dataLength > 0 {
                parts.append(.segment(index: index, range: 0..<segment.dataLength))
            }
            offset += segment.dataLength
        }
        self.parts = parts
        self.segmentOffsets = offsets
    }

    /// What to read to serve bytes `range` of the file, in order. The range is clipped to the
    /// file; an empty or out-of-file range gives no parts.
    public func parts(in range: Range<Int>) -> [Part] {
        let lower = max(0, range.lowerBound)
        let upper = min(totalSize, range.upperBound)
        guard lower < upper else { return [] }
        var out: [Part] = []
        if lower < header.count {
            out.append(.header(lower..<min(upper, header.count)))
        }
        // Binary search for the last segment starting at or before `lower`.
        var low = 0
        var high = segmentOffsets.count
        while low < high {
            let mid = (low + high) / 2
            if segmentOffsets[mid] <= lower { low = mid + 1 } else { high = mid }
        }
        var index = max(0, low - 1)
        while index < segmentOffsets.count && segmentOffsets[index] < upper {
            let start = segmentOffsets[index]
            let end = index + 1 < segmentOffsets.count ? segmentOffsets[index + 1] : totalSize
            let from = max(lower, start)
            let to = min(upper, end)
            if from < to {
                out.append(.segment(index: index, range: (from - start)..<(to - start)))
            }
            index += 1
        }
        return out
    }
}

/// Writes the `moov` box of a ``VirtualMP4``.
private struct Layout {
    let segments: [MP4Segment]
    let descriptions: [VideoParameters]
    let chunkDescription: [Int]
    let mediaDuration: Int64
    let trimStart: Int64
    let duration: Int64
    let time: Int64

    func moov(dataStart: Int) -> [UInt8] {
        let sampleCount = segments.reduce(0) { $0 + $1.samples.count }
        var writer = MP4Writer(reservingCapacity: 1024 + sampleCount * 24 + descriptions.reduce(0) { $0 + $1.sampleEntryBox.count + 100 })
        let first = descriptions[0]
        writer.box("moov") { writer in
            MP4Boxes.mvhd(&writer, time: time, timescale: VirtualMP4.timescale, duration: duration, nextTrackID: 2)
            writer.box("trak") { writer in
                MP4Boxes.tkhd(&writer, time: time, trackID: 1, duration: duration, width: first.width, height: first.height)
                edts(&writer)
                writer.box("mdia") { writer in
                    MP4Boxes.mdhd(&writer, time: time, timescale: VirtualMP4.timescale, duration: mediaDuration)
                    MP4Boxes.hdlr(&writer)
                    writer.box("minf") { writer in
                        MP4Boxes.vmhdAndDinf(&writer)
                        writer.box("stbl") { writer in
                            stbl(&writer, dataStart: dataStart)
                        }
                    }
                }
            }
        }
        return writer.bytes
    }

    /// One edit: play `duration` of media from the earliest composition time plus `trimStart`.
    private func edts(_ writer: inout MP4Writer) {
        var dts: Int64 = 0
        var earliest = Int64.max
        for segment in segments {
            for sample in segment.samples {
                earliest = min(earliest, dts + Int64(sample.compositionOffset))
                dts += Int64(sample.duration)
            }
        }
        let mediaTime = max(0, earliest) + trimStart
        let version: UInt8 = MP4Boxes.fits32(duration, mediaTime) ? 0 : 1
        writer.box("edts") { writer in
            writer.fullBox("elst", version: version) { writer in
                writer.u32(1)
                if version == 1 {
                    writer.u64(UInt64(duration))
                    writer.u64(UInt64(mediaTime))
                } else {
                    writer.u32(UInt32(duration))
                    writer.u32(UInt32(mediaTime))
                }
                writer.u16(1)  // media_rate_integer
                writer.u16(0)  // media_rate_fraction
            }
        }
    }

    private func stbl(_ writer: inout MP4Writer, dataStart: Int) {
        writer.fullBox("stsd") { writer in
            writer.u32(UInt32(descriptions.count))
            for parameters in descriptions { MP4Boxes.sampleEntry(&writer, parameters) }
        }

        // stts: runs of equal durations.
        var durationRuns: [(count: UInt32, value: UInt32)] = []
        var offsetRuns: [(count: UInt32, value: Int32)] = []
        var anyOffset = false
        var negativeOffset = false
        for segment in segments {
            for sample in segment.samples {
                if let last = durationRuns.last, last.value == sample.duration {
                    durationRuns[durationRuns.count - 1].count += 1
                } else {
                    durationRuns.append((1, sample.duration))
                }
                if let last = offsetRuns.last, last.value == sample.compositionOffset {
                    offsetRuns[offsetRuns.count - 1].count += 1
                } else {
                    offsetRuns.append((1, sample.compositionOffset))
                }
                if sample.compositionOffset != 0 { anyOffset = true }
                if sample.compositionOffset < 0 { negativeOffset = true }
            }
        }
        writer.fullBox("stts") { writer in
            writer.u32(UInt32(durationRuns.count))
            for run in durationRuns {
                writer.u32(run.count)
                writer.u32(run.value)
            }
        }
        if anyOffset {
            writer.fullBox("ctts", version: negativeOffset ? 1 : 0) { writer in
                writer.u32(UInt32(offsetRuns.count))
                for run in offsetRuns {
                    writer.u32(run.count)
                    writer.i32(run.value)
                }
            }
        }

        writer.fullBox("stss") { writer in
            let countAt = writer.bytes.count
            writer.u32(0)
            var count: UInt32 = 0
            var number: UInt32 = 1
            for segment in segments {
                for sample in segment.samples {
                    if sample.isKeyFrame {
                        writer.u32(number)
                        count += 1
                    }
                    number += 1
                }
            }
            writer.bytes[countAt] = UInt8(truncatingIfNeeded: count >> 24)
            writer.bytes[countAt + 1] = UInt8(truncatingIfNeeded: count >> 16)
            writer.bytes[countAt + 2] = UInt8(truncatingIfNeeded: count >> 8)
            writer.bytes[countAt + 3] = UInt8(truncatingIfNeeded: count)
        }

        writer.fullBox("stsz") { writer in
            writer.u32(0)  // sizes differ: one entry per sample
            writer.u32(UInt32(segments.reduce(0) { $0 + $1.samples.count }))
            for segment in segments {
                for sample in segment.samples { writer.u32(sample.size) }
            }
        }

        // stsc: one chunk per non-empty segment; runs of chunks with equal sample count and description.
        var chunkRuns: [(firstChunk: UInt32, samples: UInt32, description: UInt32)] = []
        var chunk: UInt32 = 1
        for (index, segment) in segments.enumerated() where !segment.samples.isEmpty {
            let samples = UInt32(segment.samples.count)
            let description = UInt32(chunkDescription[index])
            if let last = chunkRuns.last, last.samples == samples, last.description == description {
                // continues the run
            } else {
                chunkRuns.append((chunk, samples, description))
            }
            chunk += 1
        }
        writer.fullBox("stsc") { writer in
            writer.u32(UInt32(chunkRuns.count))
            for run in chunkRuns {
                writer.u32(run.firstChunk)
                writer.u32(run.samples)
                writer.u32(run.description)
            }
        }

        writer.fullBox("co64") { writer in
            writer.u32(chunk - 1)
            var offset = UInt64(dataStart)
            for segment in segments {
                if !segment.samples.isEmpty { writer.u64(offset) }
                offset += UInt64(segment.dataLength)
            }
        }
    }
}
