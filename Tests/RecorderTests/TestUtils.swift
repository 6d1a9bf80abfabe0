import Foundation
import Recorder
import Testing

/// Runs a tool to its end on a thread of its own (never on the cooperative pool).
func run(_ tool: String, _ arguments: [String]) async throws -> (status: Int32, error: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: tool)
                process.arguments = arguments
                let err = Pipe()
                process.standardError = err
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                let e = err.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: e, as: UTF8.self))
            })
        }
    }
}

/// A small tmpfs, so that a full disk is real (root or passwordless sudo is needed).
enum Tmpfs {
    static func mount(at path: String, megabytes: Int) async throws {
        let arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]
        let (_, err) = getuid() == 0 ? try await run("/bin/mount", arguments) : try await run("/usr/bin/sudo", ["-n", "/bin/mount"] + arguments)
        let volume = try #require(VolumeSpace.of(path))
        try #require(volume.totalBytes <= Int64(megabytes) << 20, "could not mount a \(megabytes) MB tmpfs at \(path): \(err)")
    }

    /// For `defer`: a lazy unmount returns at once.
    static func unmountBlocking(_ path: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = ["-l", path]
        try? process.run()
        process.waitUntilExit()
    }
}
