/// Boxes shared by ``VirtualMP4`` and ``FragmentedMP4``.
enum MP4Boxes {
    /// Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01.
    static let epochOffset: Int64 = 2_082_844_800

    /// The identity transformation matrix of `mvhd` and `tkhd` (16.16 and 2.30 fixed point).
    static let unityMatrix: [UInt32] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000]

    static func ftyp(_ writer: inout MP4Writer, major: String, minor: UInt32, compatible: [String]) {
        writer.box("ftyp") { writer in
            writer.fourCC(major)
            writer.u32(minor)
            for brand in compatible { writer.fourCC(brand) }
        }
    }

    /// Whether all values fit the 32-bit fields of version-0 boxes.
    static func fits32(_ values: Int64...) -> Bool {
        values.allSatisfy { $0 >= 0 && $0 <= Int64(UInt32.max) }
    }

    /// `mvhd`: times in seconds since 1904, duration in `timescale` units.
    static func mvhd(_ writer: inout MP4Writer, time: Int64, timescale: UInt32, duration: Int64, nextTrackID: UInt32) {
        let version: UInt8 = fits32(time, duration) ? 0 : 1
        writer.fullBox("mvhd", version: version) { writer in
            times(&writer, version: version, time: time)
            writer.u32(timescale)
            duration64(&writer, version: version, duration)
            writer.u32(0x0001_0000)  // rate 1.0
            writer.u16(0x0100)  // volume 1.0
            writer.zeros(10)  // reserved
            for value in unityMatrix { writer.u32(value) }
            writer.zeros(24)  // pre_defined
            writer.u32(nextTrackID)
        }
    }

    /// `tkhd` of an enabled video track shown in the movie.
    static func tkhd(_ writer: inout MP4Writer, time: Int64, trackID: UInt32, duration: Int64, width: Int, height: Int) {
        let version: UInt8 = fits32(time, duration) ? 0 : 1
        writer.fullBox("tkhd", version: version, flags: 0x000003) { writer in  // enabled, in movie
            times(&writer, version: version, time: time)
            writer.u32(trackID)
            writer.u32(0)  // reserved
            duration64(&writer, version: version, duration)
            writer.zeros(8)  // reserved
            writer.u16(0)  // layer
            writer.u16(0)  // alternate_group
            writer.u16(0)  // volume: 0 for video
            writer.u16(0)  // reserved
            for value in unityMatrix { writer.u32(value) }
            writer.u32(fixed16(width))
            writer.u32(fixed16(height))
        }
    }

    static func mdhd(_ writer: inout MP4Writer, time: Int64, timescale: UInt32, duration: Int64) {
        let version: UInt8 = fits32(time, duration) ? 0 : 1
        writer.fullBox("mdhd", version: version) { writer in
            times(&writer, version: version, time: time)
            writer.u32(timescale)
            duration64(&writer, version: version, duration)
            writer.u16(0x55C4)  // language "und" (ISO 639-2/T, packed 5 bits a letter)
            writer.u16(0)  // pre_defined
        }
    }

    static func hdlr(_ writer: inout MP4Writer) {
        writer.fullBox("hdlr") { writer in
            writer.u32(0)  // pre_defined
            writer.fourCC("vide")
            writer.zeros(12)  // reserved
            writer.append(Array("VideoHandler".utf8))
            writer.u8(0)
        }
    }

    /// `vmhd` and `dinf` (data in this file), the fixed part of a video `minf`.
    static func vmhdAndDinf(_ writer: inout MP4Writer) {
        writer.fullBox("vmhd", flags: 1) { writer in
            writer.zeros(8)  // graphicsmode, opcolor
        }
        writer.box("dinf") { writer in
            writer.fullBox("dref") { writer in
                writer.u32(1)
                writer.fullBox("url ", flags: 1) { _ in }  // media data in the same file
            }
        }
    }

    /// An `avc1` / `hvc1` visual sample entry with the parameters' `avcC` / `hvcC` box.
    static func sampleEntry(_ writer: inout MP4Writer, _ parameters: VideoParameters) {
        writer.box(parameters.codec == .h264 ? "avc1" : "hvc1") { writer in
            writer.zeros(6)  // reserved
            writer.u16(1)  // data_reference_index
            writer.zeros(16)  // pre_defined, reserved
            writer.u16(UInt16(clamping: parameters.width))
            writer.u16(UInt16(clamping: parameters.height))
            writer.u32(0x0048_0000)  // 72 dpi
            writer.u32(0x0048_0000)
            writer.u32(0)  // reserved
            writer.u16(1)  // frame_count
            writer.zeros(32)  // compressorname
            writer.u16(0x0018)  // depth
            writer.u16(0xFFFF)  // pre_defined = -1
            writer.append(parameters.sampleEntryBox)
        }
    }

    /// The brands for a file with these codecs.
    static func codecBrands(_ codecs: [VideoCodec]) -> [String] {
        var brands: [String] = []
        if codecs.contains(.h264) { brands.append("avc1") }
        if codecs.contains(.h265) { brands.append("hvc1") }
        return brands
    }

    private static func times(_ writer: inout MP4Writer, version: UInt8, time: Int64) {
        if version == 1 {
            writer.u64(UInt64(clamping: time))  // creation_time
            writer.u64(UInt64(clamping: time))  // modification_time
        } else {
            writer.u32(UInt32(clamping: time))
            writer.u32(UInt32(clamping: time))
        }
    }

    private static func duration64(_ writer: inout MP4Writer, version: UInt8, _ duration: Int64) {
        if version == 1 {
            writer.u64(UInt64(clamping: duration))
        } else {
            writer.u32(UInt32(clamping: duration))
        }
    }

    /// A pixel size as 16.16 fixed point.
    private static func fixed16(_ value: Int) -> UInt32 {
        UInt32(clamping: value) << 16
    }
}
