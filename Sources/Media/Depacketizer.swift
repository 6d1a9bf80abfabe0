/// Turns a stream of RTP packets into access units.
///
/// Access units end on the marker bit or on a timestamp change (some cameras omit the marker).
/// A gap in sequence numbers (after the reorder window) is counted in ``stats``; the broken access
/// units are dropped and nothing is emitted until the next key frame. The stream also starts at
/// its first key frame. Access units are passed on unchanged.
public protocol Depacketizer: Sendable {
    var codec: VideoCodec { get }
    var stats: DepacketizerStats { get }
    /// Parameter sets seen so far: SDP's sprop-* at init, overridden by in-band VPS/SPS/PPS as they arrive.
    var parameterSets: ParameterSets { get }
    /// Feed one RTP packet; returns the access units it completes (usually 0 or 1).
    ///
    /// Throws for a malformed or unsupported payload. The depacketizer stays usable: the access
    /// unit concerned is dropped and counted, and access units completed by the same call are
    /// returned by the next call (or by ``flush()``), so callers can log the error and go on.
    mutating func push(_ packet: RTPPacket) throws(MediaError) -> [AccessUnit]
    /// Ends the stream: releases packets held for reordering and completes the last access unit.
    /// That access unit is emitted only if the sender evidently does without marker bits (none
    /// seen, and earlier access units ended on timestamp changes); otherwise its marker packet
    /// was lost and it is dropped.
    mutating func flush() -> [AccessUnit]
}

/// Creates the depacketizer for `codec`.
public func makeDepacketizer(codec: VideoCodec, parameterSets: ParameterSets, reorderWindow: Int = 0) -> any Depacketizer {
    switch codec {
    case .h264: H264Depacketizer(parameterSets: parameterSets, reorderWindow: reorderWindow)
    case .h265: H265Depacketizer(parameterSets: parameterSets, reorderWindow: reorderWindow)
    }
}
