import Catalog
import Foundation
import Media
import Testing

/// A camera's two recorded streams (issue 19): the sub stream's recordings live beside the main
/// stream's without mixing into them, and a camera's wish to record its sub stream, with its own
/// retention, is stored. On every backend.
@Suite struct RecordedStreamConformanceTests {
    @Test(arguments: Backend.all) func theStreamsOfACameraAreRecordedApart(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let entry = try await catalog.sampleEntryID(codec: .h264, parameterSets: parameters)
        var sub1 = recording(id: 3, camera: 5, start: 0, entry: entry)
        sub1.stream = .sub
        var sub2 = recording(id: 4, camera: 5, start: 60, entry: entry)
        sub2.stream = .sub
        try await catalog.commit([recording(id: 1, camera: 5, start: 0, entry: entry), recording(id: 2, camera: 5, start: 60, entry: entry), sub1, sub2,
                                  recording(id: 5, camera: 6, start: 0, entry: entry)])
        // Each stream's listing holds only its own recordings; without a stream named, the main.
        #expect(try await catalog.recordings(camera: 5, from: 0, to: .max / 2).map(\.id) == [1, 2])
        #expect(try await catalog.recordings(camera: 5, stream: .main, from: 0, to: .max / 2).map(\.id) == [1, 2])
        let subs = try await catalog.recordings(camera: 5, stream: .sub, from: 0, to: .max / 2)
        #expect(subs.map(\.id) == [3, 4] && subs.allSatisfy { $0.stream == .sub })
        #expect(try await catalog.recordings(camera: 6, stream: .sub, from: 0, to: .max / 2).isEmpty)
        #expect(try await catalog.recordings(camera: 5, stream: .sub, endingBefore: 60 * 90_000).map(\.id) == [3])
        #expect(try await catalog.recordings(camera: 5, endingBefore: 60 * 90_000).map(\.id) == [1])
        // Usage per stream, and per camera for both together.
        let byStream = try await catalog.streamUsage()
        #expect(byStream[RecordedStreamID(camera: 5, stream: .main)]?.bytes == 3000)
        #expect(byStream[RecordedStreamID(camera: 5, stream: .sub)]?.bytes == 7000)
        #expect(byStream[RecordedStreamID(camera: 6, stream: .sub)] == nil)
        let usage = try await catalog.usage()
        #expect(usage[5]?.bytes == 10_000 && usage[5]?.oldest90k == 0 && usage[5]?.newest90k == 120 * 90_000)
        // The quota's view (oldest first, every stream) and reconciliation's (every file) see both.
        #expect(Set(try await catalog.oldestRecordings(limit: 10).map(\.id)) == [1, 2, 3, 4, 5])
        #expect(Set(try await catalog.allRecordingLocations().map(\.id)) == [1, 2, 3, 4, 5])
        // Deleting the sub stream's oldest leaves the main's alone.
        try await catalog.moveToGarbage(ids: [3])
        #expect(try await catalog.recordings(camera: 5, stream: .sub, from: 0, to: .max / 2).map(\.id) == [4])
        #expect(try await catalog.recordings(camera: 5, from: 0, to: .max / 2).map(\.id) == [1, 2])
    }

    @Test(arguments: Backend.all) func aCameraSaysWhetherItsSubStreamIsRecordedAndForHowLong(_ backend: Backend) async throws {
        let catalog = try await backend.make()
        let sub = CameraStream(rtspURL: "rtsp://10.0.0.1/sub", record: true, maxAgeDays: 7)
        let camera = try await catalog.insert(Camera(name: "Gate", rtspURL: "rtsp://10.0.0.1/main", latitude: 1, longitude: 2, subStream: sub))
        #expect(try await catalog.camera(id: camera.id)?.subStream == sub)
        var changed = camera
        changed.subStream?.record = false
        changed.subStream?.maxAgeDays = nil
        _ = try await catalog.update(changed)
        let stored = try #require(try await catalog.camera(id: camera.id)?.subStream)
        #expect(stored.record == false && stored.maxAgeDays == nil && stored.rtspURL == "rtsp://10.0.0.1/sub")
    }
}
