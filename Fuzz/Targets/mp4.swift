// Fuzz target "mp4": MP4BoxReader.parse on arbitrary bytes (any MP4 file's header), then walking
// the tree; and AVCCFormat.split, which reads length-prefixed NAL units back out of a sample.
// Properties: never traps; every box lies inside its parent's payload and inside the input.
@testable import Media

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if let boxes = try? MP4BoxReader.parse(bytes) {
        walk(boxes, within: 0..<bytes.count)
        if let moov = boxes.first(where: { $0.type == "moov" }) {
            _ = moov.find("trak/mdia/minf/stbl/stsd")
        }
    }
    if let units = try? AVCCFormat.split(bytes) {
        fuzzRequire(units.reduce(0) { $0 + 4 + $1.count } == bytes.count, "NAL units do not cover the sample")
    }
    return 0
}

private func walk(_ boxes: [MP4Box], within range: Range<Int>) {
    var end = range.lowerBound
    for box in boxes {
        fuzzRequire(box.offset >= end && box.headerSize <= box.size, "box '\(box.type)' overlaps or is too small")
        fuzzRequire(box.offset + box.size <= range.upperBound, "box '\(box.type)' runs past its parent")
        end = box.offset + box.size
        walk(box.children, within: box.payloadRange)
    }
}
