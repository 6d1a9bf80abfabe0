import CFFmpeg
import CTurboJPEG
import Media

/// Why a snapshot could not be made, in an operator's words.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A JPEG picture and its size.
public struct JPEGPicture: Sendable {
    public var bytes: [UInt8]
    public var width: Int
    public var height: Int
}

/// Makes a JPEG of a camera's key frame: decoded with libavcodec, encoded from the decoder's YUV
/// planes with libturbojpeg (no colour conversion, a few milliseconds at 1080p).
///
/// Each call owns its decoder and compressor for the length of the call, so calls from any number
/// of tasks never share a C object (docs/ui.md, "Snapshot").
public enum SnapshotEncoder {
    /// Changes a decoded 8-bit YUV 4:2:0 picture in place before it is compressed (privacy masks):
    /// Y, its stride, U, its stride, V, its stride, width, height.
    public typealias PictureEditor = (UnsafeMutablePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>, Int, Int, Int) -> Void

    public static func jpeg(keyFrame: AccessUnit, parameters: VideoParameters, quality: Int = 85, edit: PictureEditor? = nil) throws(SnapshotError) -> JPEGPicture {
        let decoder = try KeyFrameDecoder(parameters: parameters)
        let picture = try decoder.decode(keyFrame)
        // The decoder decodes nothing after this picture, so it may be changed in place.
        if let edit {
            let f = picture.frame.pointee
            guard let y = f.data.0, let u = f.data.1, let v = f.data.2 else { throw SnapshotError("the decoded picture has no planes") }
            edit(y, Int(f.linesize.0), u, Int(f.linesize.1), v, Int(f.linesize.2), picture.width, picture.height)
        }
        let compressor = try TurboCompressor()
        let bytes = try compressor.compress(picture, quality: quality)
        return JPEGPicture(bytes: bytes, width: picture.width, height: picture.height)
    }
}

/// One TurboJPEG compressor handle, destroyed with its owner.
final class TurboCompressor {
    private let handle: UnsafeMutableRawPointer

    init() throws(SnapshotError) {
        guard let handle = tjInitCompress() else { throw SnapshotError("libturbojpeg did not start") }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    func compress(_ picture: KeyFrameDecoder.Picture, quality: Int) throws(SnapshotError) -> [UInt8] {
        let f = picture.frame.pointee
        guard let y = f.data.0, let u = f.data.1, let v = f.data.2 else { throw SnapshotError("the decoded picture has no planes") }
        var planes: [UnsafePointer<UInt8>?] = [UnsafePointer(y), UnsafePointer(u), UnsafePointer(v)]
        var strides: [Int32] = [f.linesize.0, f.linesize.1, f.linesize.2]
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let r = tjCompressFromYUVPlanes(handle, &planes, Int32(picture.width), &strides, Int32(picture.height), Int32(TJSAMP_420.rawValue),
                                        &buffer, &size, Int32(quality), 0)
        defer { if let buffer { tjFree(buffer) } }
        guard r == 0, let buffer else {
            throw SnapshotError("JPEG encoding failed: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
