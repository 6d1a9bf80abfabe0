import Foundation

/// Where a recording's sample file lives: `<recordings>/<camera id>/<recording id>.sample`.
public struct SampleFileLayout: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(camera: Int64) -> String { "\(root)/\(camera)" }
    public func path(camera: Int64, recording: Int64) -> String { "\(root)/\(camera)/\(recording).sample" }
}

/// An append-only sample file, written with plain POSIX calls so that `fsync` means what it says.
final class SampleFile {
    let path: String
    private(set) var fd: Int32
    private(set) var size: Int64 = 0
    var needsDirectorySync = true

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXFailure(operation: "create \(path)", code: errno) }
    }

    /// Appends all of `bytes` or nothing: after a failed write (a full disk) the file is cut back to
    /// its previous length, so the bytes on disk always match the index kept in memory.
    func append(_ bytes: [UInt8]) throws {
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
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
                _ = ftruncate(fd, off_t(size))
                _ = lseek(fd, off_t(size), SEEK_SET)
            }
            throw POSIXFailure(operation: "write \(path)", code: failure)
        }
        size += Int64(bytes.count)
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw POSIXFailure(operation: "fsync \(path)", code: errno) }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
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
