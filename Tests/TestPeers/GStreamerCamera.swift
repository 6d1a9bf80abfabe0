import Foundation

/// A GStreamer RTSP server (Debian's gst-rtsp-server, through python3-gi) as an independent camera.
public final class GStreamerCamera: Sendable {
    let process: Process
    public let port: Int

    /// Mounts `/h264`, `/h265` and `/sub` (H.264 at 160×120): scripts/gst_rtsp_server.py.
    public init(frames: Int, keyint: Int) throws {
        var lastError: (any Error)?
        for _ in 0..<5 {
            // Below Linux's ephemeral range (32768 and up), where other tests' client sockets and
            // port-0 listeners live: a port taken there made the camera "close" before PLAY.
            let port = Int.random(in: 20_000...32_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["\(Self.packageRoot)/scripts/gst_rtsp_server.py", "--port", "\(port)", "--frames", "\(frames)", "--keyint", "\(keyint)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let line = pipe.fileHandleForReading.availableLine(timeout: 10)
            if line?.hasPrefix("ready") == true {
                self.process = process
                self.port = port
                return
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lastError = GStreamerError(message: "gst_rtsp_server.py did not start (said: \(line ?? "nothing"))")
        }
        throw lastError ?? GStreamerError(message: "could not start")
    }

    /// Starts the camera on a thread of its own: waiting for Python and GStreamer to start (seconds
    /// on a busy machine) must not hold one of the cooperative pool's threads, on which every RTSP
    /// session of every other test runs.
    public static func start(frames: Int, keyint: Int) async throws -> GStreamerCamera {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try GStreamerCamera(frames: frames, keyint: keyint) }) }
        }
    }

    /// Where the package lives (this file is Tests/TestPeers/GStreamerCamera.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    deinit {
        // SIGKILL: the server must go even if a pipeline is wedged; nothing of it needs saving.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

public struct GStreamerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension FileHandle {
    /// Reads one line, giving up after `timeout` seconds.
    public func availableLine(timeout: Double) -> String? {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let data = self.readData(ofLength: 1)
            guard let b = data.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if b == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(b)
        }
        return nil
    }
}

