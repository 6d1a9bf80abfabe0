import Foundation
import Footage
import Media

/// An append-only sample file, written with plain POSIX calls so that `fsync` means what it says.
///
/// Frames are gathered in memory and written in batches of about 256 KiB (``drain()``), not one
/// `write` per frame: at 25 frames a second per camera, the system calls were a large share of the
/// recorder's CPU (Moonfire NVR made the same change, writing per GOP). Nothing is lost by it: the
/// index only commits frames after ``drain()`` and ``sync()`` (docs/storage.md, "Write order").
final class SampleFile {
    let path: String
    private(set) var fd: Int32
    /// Bytes appended, including those still in ``pending``.
    private(set) var size: Int64 = 0
    /// Bytes written to the file (the rest are in ``pending``).
    private(set) var writtenSize: Int64 = 0
    private var pending: [UInt8] = []
    var needsDirectorySync = true
    /// How many bytes are gathered before they are written.
    static let batchBytes = 256 * 1024

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(operation: "create \(path)", code: errno) }
    }

    /// Appends one frame as length-prefixed NAL units (the sample format of MP4's `avcC`/`hvcC`),
    /// without building it separately; returns its size. Whether it reaches the file is known at
    /// the next ``drain()``.
    @discardableResult
    func appendLengthPrefixed(_ nalUnits: [[UInt8]]) -> Int {
        if pending.capacity == 0 { pending.reserveCapacity(Self.batchBytes + 16 * 1024) }
        let before = pending.count
        AVCCFormat.append(nalUnits, to: &pending)
        let added = pending.count - before
        size += Int64(added)
        return added
    }

    /// Whether enough is gathered to be worth a `write`.
    var wantsDrain: Bool { pending.count >= Self.batchBytes }

    /// Writes what is gathered, all of it or nothing: after a failed write (a full disk) the file is
    /// cut back to what was written before, the gathered bytes are discarded, and ``size`` falls
    /// back to ``writtenSize``; the caller then forgets the frames those bytes held.
    func drain() throws {
        guard !pending.isEmpty else { return }
        var written = 0
        var failure: Int32 = 0
        pending.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += n
            }
        }
        if failure != 0 {
            if written > 0 {
                _ = ftruncate(fd, off_t(writtenSize))
                _ = lseek(fd, off_t(writtenSize), SEEK_SET)
            }
            pending.removeAll(keepingCapacity: true)
            size = writtenSize
            throw POSIXFailure(operation: "write \(path)", code: failure)
        }
        writtenSize += Int64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw POSIXFailure(operation: "fsync \(path)", code: errno) }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        pending = []
    }

    deinit { close() }

    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXFailure(operation: "open directory \(path)", code: errno) }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw POSIXFailure(operation: "fsync directory \(path)", code: errno) }
    }
}

/// A failed system call, with what Aula was doing.
public struct POSIXFailure: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var code: Int32
    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
    public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }
}
