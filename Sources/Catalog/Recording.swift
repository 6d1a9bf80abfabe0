import Media

/// Which of a camera's streams a recording holds (docs/storage.md, "Two streams of a camera").
public enum RecordedStream: Int, Sendable, Hashable, CaseIterable {
    /// The main stream: always recorded; evidence, snapshots and playback by default.
    case main = 0
    /// The sub stream, recorded too when the camera asks for it, with its own retention.
    case sub = 1

    /// As the API names it (`?stream=main|sub`).
    public var name: String { self == .main ? "main" : "sub" }
    public init?(name: String) {
        switch name {
        case "main": self = .main
        case "sub": self = .sub
        default: return nil
        }
    }
}

/// One sample file and its index: about a minute of one camera's video.
///
/// Times are 90 kHz ticks since the Unix epoch (wall time); see docs/time.md.
public struct Recording: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var cameraID: Int64
    /// The id of the first recording of the same run (an uninterrupted RTSP session).
    public var runID: Int64
    public var start90k: Int64
    /// Sum of the frame durations.
    public var duration90k: Int64
    public var frames: Int
    public var bytes: Int64
    public var sampleEntryID: Int64
    public var index: [UInt8]
    public var hasCompositionOffsets: Bool
    /// The run ended with this recording (the camera disconnected or the server stopped).
    public var endsRun: Bool
    /// The node whose disk holds the sample file, as the catalogue reads it for the node asking;
    /// empty when it is the asking node itself (and always with one node alone). Another node's
    /// footage is read through it (docs/cluster.md, "Any node serves everything").
    public var node: String
    public var stream: RecordedStream

    public init(id: Int64, cameraID: Int64, runID: Int64, start90k: Int64, duration90k: Int64, frames: Int, bytes: Int64,
                sampleEntryID: Int64, index: [UInt8], hasCompositionOffsets: Bool, endsRun: Bool, node: String = "",
                stream: RecordedStream = .main) {
        self.node = node
        self.stream = stream
        self.id = id
        self.cameraID = cameraID
        self.runID = runID
        self.start90k = start90k
        self.duration90k = duration90k
        self.frames = frames
        self.bytes = bytes
        self.sampleEntryID = sampleEntryID
        self.index = index
        self.hasCompositionOffsets = hasCompositionOffsets
        self.endsRun = endsRun
    }

    public var end90k: Int64 { start90k + duration90k }
}

/// The codec parameters of recordings, stored once and shared.
public struct SampleEntry: Sendable, Equatable {
    public var id: Int64
    public var codec: VideoCodec
    public var parameterSets: ParameterSets

    public init(id: Int64, codec: VideoCodec, parameterSets: ParameterSets) {
        self.id = id
        self.codec = codec
        self.parameterSets = parameterSets
    }
}

/// The recording index, independent of the database behind it.
public protocol RecordingStore: Sendable {
    /// Stores (inserts or replaces) every row in one transaction: the commit point of a flush.
    func commit(_ recordings: [Recording]) async throws
    func sampleEntryID(codec: VideoCodec, parameterSets: ParameterSets) async throws -> Int64
    func sampleEntry(id: Int64) async throws -> SampleEntry?
    /// Recordings of one stream of a camera overlapping `[start, end)`, in time order.
    func recordings(camera: Int64, stream: RecordedStream, from start90k: Int64, to end90k: Int64) async throws -> [Recording]
    func allRecordingLocations() async throws -> [(camera: Int64, id: Int64, bytes: Int64)]
    func maxRecordingID() async throws -> Int64
    /// Reserves `count` recording ids that no one has had or will have: the database issues them
    /// (a sample file is named by its id before its index row exists, so the writer reserves a
    /// block ahead). They are at least `minimum` (start-up reconciliation passes one beyond every
    /// file it found on disk), increase from call to call, and are never handed out twice, also
    /// between writers on several machines sharing one catalogue. Unused ids are simply skipped.
    func reserveRecordingIDs(count: Int, atLeast minimum: Int64) async throws -> Range<Int64>
    /// Moves recordings to the garbage list (one transaction); their files may then be unlinked.
    /// In the same transaction, the motion events of the cameras concerned that end before the
    /// camera's oldest remaining recording go too (with their thumbnails): an event never outlives
    /// its footage, and a crash leaves either both or neither. Returns the events deleted.
    @discardableResult
    func moveToGarbage(ids: [Int64]) async throws -> Int
    func garbage() async throws -> [(camera: Int64, id: Int64)]
    func removeGarbage(ids: [Int64]) async throws
    /// Per stream of each camera: bytes, oldest start and newest end.
    func streamUsage() async throws -> [RecordedStreamID: (bytes: Int64, oldest90k: Int64, newest90k: Int64)]
    /// Oldest recordings first, across all cameras (for the disk quota).
    func oldestRecordings(limit: Int) async throws -> [Recording]
    func recordings(camera: Int64, stream: RecordedStream, endingBefore end90k: Int64) async throws -> [Recording]
    /// Per-camera maximum age in days (cameras without one use the server's default).
    func maxAgeDays() async throws -> [Int64: Int]
    /// Sets (or with nil clears) a camera's maximum age in days.
    func setMaxAgeDays(_ days: Int?, camera: Int64) async throws
}

/// One stream of one camera, as the recordings know it.
public struct RecordedStreamID: Sendable, Hashable {
    public var camera: Int64
    public var stream: RecordedStream
    public init(camera: Int64, stream: RecordedStream) {
        self.camera = camera
        self.stream = stream
    }
}

extension RecordingStore {
    /// The main stream's recordings overlapping `[start, end)`: what playback, evidence and
    /// snapshots take unless asked for the sub stream.
    public func recordings(camera: Int64, from start90k: Int64, to end90k: Int64) async throws -> [Recording] {
        try await recordings(camera: camera, stream: .main, from: start90k, to: end90k)
    }

    public func recordings(camera: Int64, endingBefore end90k: Int64) async throws -> [Recording] {
        try await recordings(camera: camera, stream: .main, endingBefore: end90k)
    }

    /// Per camera, both streams together: bytes, oldest start and newest end.
    public func usage() async throws -> [Int64: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] {
        var result: [Int64: (bytes: Int64, oldest90k: Int64, newest90k: Int64)] = [:]
        for (key, u) in try await streamUsage() {
            if let seen = result[key.camera] {
                result[key.camera] = (seen.bytes + u.bytes, min(seen.oldest90k, u.oldest90k), max(seen.newest90k, u.newest90k))
            } else {
                result[key.camera] = u
            }
        }
        return result
    }
}
