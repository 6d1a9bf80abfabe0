/// Fragmented MP4 (ISO/IEC 14496-12 8.8) for live view through Media Source Extensions: an
/// initialization segment per stream, then one `moof` + `mdat` per access unit.
///
/// Track 1, timescale 90000. Start a viewer at a key frame; each fragment carries its own decode
/// time (`tfdt`), so a viewer can be moved to a newer key frame by simply skipping fragments. The
/// browser needs the initialization segment again only when the parameters change.
public enum FragmentedMP4 {
    /// The track's timescale (ticks per second).
    public static let timescale: UInt32 = 90_000

    /// Flags of a sync sample: depends on no other sample (sample_depends_on = 2).
    static let syncSampleFlags: UInt32 = 0x0200_0000
    /// Flags of other samples: depends on others (sample_depends_on = 1), is_non_sync_sample.
    static let nonSyncSampleFlags: UInt32 = 0x0101_0000

    /// `ftyp` (iso5, compatible iso5, iso6, avc1/hvc1, mp41) and `moov` with an empty sample table
    /// and `mvex`/`trex`, duration 0. The MIME type for `MediaSource.addSourceBuffer` is
    /// `video/mp4; codecs="\(parameters.codecString)"`.
    public static func initSegment(parameters: VideoParameters) -> [UInt8] {
        var writer = MP4Writer(reservingCapacity: 700 + parameters.sampleEntryBox.count)
        MP4Boxes.ftyp(&writer, major: "iso5", minor: 0x200, compatible: ["iso5", "iso6"] + MP4Boxes.codecBrands([parameters.codec]) + ["mp41"])
        writer.box("moov") { writer in
            MP4Boxes.mvhd(&writer, time: 0, timescale: timescale, duration: 0, nextTrackID: 2)
            writer.box("trak") { writer in
                MP4Boxes.tkhd(&writer, time: 0, trackID: 1, duration: 0, width: parameters.width, height: parameters.height)
                writer.box("mdia") { writer in
                    MP4Boxes.mdhd(&writer, time: 0, timescale: timescale, duration: 0)
                    MP4Boxes.hdlr(&writer)
                    writer.box("minf") { writer in
                        MP4Boxes.vmhdAndDinf(&writer)
                        writer.box("stbl") { writer in
                            writer.fullBox("stsd") { writer in
                                writer.u32(1)
                                MP4Boxes.sampleEntry(&writer, parameters)
                            }
                            for empty in ["stts", "stsc", "stco"] {
                                writer.fullBox(empty) { writer in writer.u32(0) }
                            }
                            writer.fullBox("stsz") { writer in
                                writer.u32(0)
                                writer.u32(0)
                            }
                        }
                    }
                }
            }
            writer.box("mvex") { writer in
                writer.fullBox("trex") { writer in
                    writer.u32(1)  // track_ID
                    writer.u32(1)  // default_sample_description_index
                    writer.u32(0)  // default_sample_duration
                    writer.u32(0)  // default_sample_size
                    writer.u32(0)  // default_sample_flags
                }
            }
        }
        return writer.bytes
    }

    /// One fragment holding one access unit given as NAL units (without start codes); they are
    /// written with 4-byte lengths. `sample.size` is ignored: the size is that of the written data.
    public static func fragment(sequenceNumber: UInt32, baseDecodeTime90k: UInt64, sample: MP4Sample, data: [[UInt8]]) -> [UInt8] {
        fragment(sequenceNumber: sequenceNumber, baseDecodeTime90k: baseDecodeTime90k, sample: sample, payload: AVCCFormat.lengthPrefixed(data))
    }

    /// One fragment holding one access unit already in length-prefixed form (``AVCCFormat``), as
    /// the recorder stores it. `sample.size` is ignored: the size is `payload.count`.
    ///
    /// `moof` (`mfhd` with `sequenceNumber`; `traf` with `tfhd` default-base-is-moof, `tfdt`
    /// version 1, and a one-sample `trun` with data offset, duration, size, flags and, if
    /// nonzero, the composition offset) followed by `mdat`.
    public static func fragment(sequenceNumber: UInt32, baseDecodeTime90k: UInt64, sample: MP4Sample, payload: [UInt8]) -> [UInt8] {
        var writer = MP4Writer(reservingCapacity: 120 + payload.count)
        let hasOffset = sample.compositionOffset != 0
        var dataOffsetAt = 0
        writer.box("moof") { writer in
            writer.fullBox("mfhd") { writer in
                writer.u32(sequenceNumber)
            }
            writer.box("traf") { writer in
                writer.fullBox("tfhd", flags: 0x02_0000) { writer in  // default-base-is-moof
                    writer.u32(1)  // track_ID
                }
                writer.fullBox("tfdt", version: 1) { writer in
                    writer.u64(baseDecodeTime90k)
                }
                // data-offset, sample duration, size, flags [, composition time offset] present.
                let flags: UInt32 = 0x000001 | 0x000100 | 0x000200 | 0x000400 | (hasOffset ? 0x000800 : 0)
                writer.fullBox("trun", version: sample.compositionOffset < 0 ? 1 : 0, flags: flags) { writer in
                    writer.u32(1)  // sample_count
                    dataOffsetAt = writer.bytes.count
                    writer.u32(0)  // data_offset, patched below
                    writer.u32(sample.duration)
                    writer.u32(UInt32(truncatingIfNeeded: payload.count))
                    writer.u32(sample.isKeyFrame ? syncSampleFlags : nonSyncSampleFlags)
                    if hasOffset { writer.i32(sample.compositionOffset) }
                }
            }
        }
        // The data start right after the mdat header, counted from the start of moof.
        let dataOffset = UInt32(truncatingIfNeeded: writer.bytes.count + 8)
        writer.bytes[dataOffsetAt] = UInt8(truncatingIfNeeded: dataOffset >> 24)
        writer.bytes[dataOffsetAt + 1] = UInt8(truncatingIfNeeded: dataOffset >> 16)
        writer.bytes[dataOffsetAt + 2] = UInt8(truncatingIfNeeded: dataOffset >> 8)
        writer.bytes[dataOffsetAt + 3] = UInt8(truncatingIfNeeded: dataOffset)
        writer.bytes.appendBigEndian(UInt32(truncatingIfNeeded: payload.count + 8))
        writer.fourCC("mdat")
        writer.append(payload)
        return writer.bytes
    }
}
