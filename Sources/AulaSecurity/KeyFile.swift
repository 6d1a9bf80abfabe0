import Foundation

/// A secret kept in its own file in the data folder, readable only by the server's user (0600).
///
/// Keys live outside the database so that a copy of `catalog.sqlite` (a backup, a support bundle)
/// does not carry what decrypts or signs with it. A key file that others can read is refused rather
/// than used: the server should fail loudly, not keep working with a leaked key.
public enum KeyFile {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Returns the file's bytes, creating it with `create()` (mode 0600, exclusively) when it does
    /// not exist yet.
    public static func loadOrCreate(path: String, create: () -> [UInt8]) throws -> [UInt8] {
        if let existing = try load(path: path) { return existing }
        let bytes = create()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            // Another process created it between our check and open: use theirs.
            if errno == EEXIST, let existing = try load(path: path) { return existing }
            throw Failure(path: path, reason: "cannot create key file (errno \(errno))")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw Failure(path: path, reason: "cannot write key file") }
        return bytes
    }

    /// The file's bytes, or nil when it does not exist. Throws when it is readable by group or others.
    public static func load(path: String) throws -> [UInt8]? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw Failure(path: path, reason: "cannot read key file (errno \(errno))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw Failure(path: path, reason: "key file is accessible by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 on it")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(path: path, reason: "cannot read key file") }
        return [UInt8](data)
    }
}
