import Foundation
import Motion
import Testing

/// The detector on synthetic analysis pictures, where the truth is exact.
@Suite struct MotionDetectorTests {
    /// Runs `seconds` at 5 fps; `square(t)` places the object.
    func run(_ configuration: MotionConfiguration, seconds: Double, noise: Int = 6, light: (Double) -> Int = { _ in 0 }, tilt: (Double) -> Int = { _ in 0 },
             square: (Double) -> SyntheticCamera.Square? = { _ in nil }, clock: (@Sendable (Int64) -> (minute: Int, weekday: Int))? = nil) -> [MotionEventUpdate] {
        var camera = SyntheticCamera(noise: noise)
        var detector = MotionDetector(configuration: configuration)
        detector.scheduleClock = clock
        var updates: [MotionEventUpdate] = []
        var t = 0.0
        while t < seconds {
            updates += detector.process(camera.frame(at: t, light: light(t), tilt: tilt(t), square: square(t)))
            t += 0.2
        }
        return updates + detector.finish()
    }

    func crossing(from: Double, to: Double, y: Int = 100, size: Int = 20, contrast: Int = 40) -> (Double) -> SyntheticCamera.Square? {
        { t in t >= from && t < to ? .init(x: Int((t - from) / (to - from) * 300), y: y, size: size, contrast: contrast) : nil }
    }

    let zones = [
        Zone(name: "left", kind: .alert, polygon: rect(0, 0.3, 0.5, 1)),
        Zone(name: "right", kind: .alert, polygon: rect(0.5, 0.3, 1, 1)),
    ]

    @Test func noiseAndLightChangesRaiseNothing() throws {
        // Slow dusk (−40 levels over a minute) and a sudden +25 step (lights switched on).
        let updates = run(try MotionConfiguration(zones: zones), seconds: 60, noise: 8, light: { t in (t < 40 ? -Int(t) : -40 + 25) })
        #expect(updates.isEmpty, "\(updates)")
    }

    @Test func aChangeOfTheWholePictureIsNotMotion() throws {
        // Half the picture 20 levels brighter, half 20 darker: a badly coded key frame for 0.8 s at
        // 10 s (then the picture as before), the infrared filter switching for good at 30 s.
        // Afterwards the detector is as sensitive as before: an object crossing at 36 s is found,
        // and it is the only thing found.
        let tilt: (Double) -> Int = { t in (t >= 10 && t < 10.8) || t >= 25 ? 20 : 0 }
        let updates = run(try MotionConfiguration(zones: zones), seconds: 44, tilt: tilt, square: crossing(from: 36, to: 42))
        let started = updates.compactMap { if case .started(let e) = $0 { e } else { nil } }
        #expect(started.map(\.zone) == ["left", "right"], "\(updates)")
        #expect(started.allSatisfy { Double($0.start) / 90_000 >= 35.8 && Double($0.confirmed - $0.start) / 90_000 < 1.5 }, "\(updates)")
    }

    @Test func objectCrossingRaisesOneEventPerZone() throws {
        let updates = run(try MotionConfiguration(zones: zones), seconds: 20, square: crossing(from: 5, to: 11))
        let started = updates.compactMap { if case .started(let e) = $0 { e } else { nil } }
        let ended = updates.compactMap { if case .ended(let e) = $0 { e } else { nil } }
        #expect(started.map(\.zone) == ["left", "right"])
        #expect(ended.count == 2)
        for e in ended {
            #expect(e.end! > e.start)
            #expect(e.peakScore > 0 && e.peakScore <= 1)
            #expect(e.confirmed - e.start >= Int64(0.8 * 90_000))
        }
        // Left zone: the square enters at 5 s; it must be raised within 1.5 s.
        #expect(Double(started[0].start) / 90_000 >= 4.8)
        #expect(Double(started[0].confirmed) / 90_000 < 6.5)
    }

    @Test func ignoreZonesAndSmallOrBriefObjectsRaiseNothing() throws {
        let ignored = try MotionConfiguration(zones: zones + [Zone(name: "tree", kind: .ignore, polygon: rect(0, 0.4, 1, 0.75))])
        #expect(run(ignored, seconds: 20, square: crossing(from: 5, to: 11, y: 90)).isEmpty)
        // 4 × 4 pixels is 0.03 % of the picture, below the minimum object size of 0.2 %.
        #expect(run(try MotionConfiguration(zones: zones), seconds: 20, square: crossing(from: 5, to: 11, size: 4)).isEmpty)
        // Present for 0.4 s, below the minimum duration of 0.8 s.
        let brief: (Double) -> SyntheticCamera.Square? = { t in t >= 5 && t < 5.4 ? .init(x: 50, y: 100, size: 20, contrast: 40) : nil }
        #expect(run(try MotionConfiguration(zones: zones), seconds: 20, square: brief).isEmpty)
    }

    @Test func privacyMasksAreNotAnalysed() throws {
        let masked = try MotionConfiguration(zones: [Zone(name: "windows", kind: .privacy, polygon: rect(0, 0, 1, 0.5))])
        #expect(run(masked, seconds: 20, square: crossing(from: 5, to: 11, y: 20)).isEmpty)
        // The same object below the mask is seen (whole picture as the implicit alert zone).
        let seen = run(masked, seconds: 20, square: crossing(from: 5, to: 11, y: 120))
        #expect(seen.first?.event.zone == MotionConfiguration.wholePicture)
    }

    @Test func sensitivityDecidesFaintObjects() throws {
        var high = MotionSettings()
        high.sensitivity = 100
        var low = MotionSettings()
        low.sensitivity = 1
        let faint = crossing(from: 5, to: 11, size: 24, contrast: 3)
        #expect(!run(try MotionConfiguration(settings: high, zones: zones), seconds: 20, noise: 1, square: faint).isEmpty)
        #expect(run(try MotionConfiguration(settings: low, zones: zones), seconds: 20, noise: 1, square: faint).isEmpty)
    }

    @Test func schedulesGateTheStartOfEvents() throws {
        let night = Zone(name: "left", kind: .alert, polygon: rect(0, 0.3, 0.5, 1), schedule: try DailySchedule(parsing: "22:00-06:00"))
        let configuration = try MotionConfiguration(zones: [night])
        let noon = run(configuration, seconds: 20, square: crossing(from: 5, to: 11), clock: { _ in (12 * 60, 4) })
        #expect(noon.isEmpty)
        let late = run(configuration, seconds: 20, square: crossing(from: 5, to: 11), clock: { _ in (23 * 60, 4) })
        #expect(late.count == 2)
    }

    @Test func aNewPictureSizeEndsOpenEventsAndRelearns() throws {
        var detector = MotionDetector(configuration: try MotionConfiguration(zones: zones))
        var camera = SyntheticCamera()
        var t = 0.0
        var started = 0
        while t < 8 {
            for case .started in detector.process(camera.frame(at: t, square: crossing(from: 4, to: 12)(t))) { started += 1 }
            t += 0.2
        }
        #expect(started == 1 && detector.openEvents.count == 1)
        var small = SyntheticCamera(width: 160, height: 90)
        let updates = detector.process(small.frame(at: t))
        #expect(updates.count == 1)
        if case .ended(let e)? = updates.first { #expect(e.end != nil) } else { Issue.record("expected the open event to end") }
        #expect(detector.openEvents.isEmpty)
    }

    @Test func thumbnailsAreJPEGsWithPrivacyMasksApplied() throws {
        let configuration = try MotionConfiguration(zones: zones + [Zone(name: "windows", kind: .privacy, polygon: rect(0, 0, 1, 0.2))])
        let analyzer = MotionAnalyzer(configuration: configuration)
        var camera = SyntheticCamera()
        var started: [MotionEvent] = []
        var t = 0.0
        while t < 10 {
            for case .started(let e) in try analyzer.analyse(camera.frame(at: t, square: crossing(from: 4, to: 9)(t))) { started.append(e) }
            t += 0.2
        }
        let jpeg = try #require(started.first?.thumbnail)
        #expect(jpeg.prefix(2) == [0xFF, 0xD8])
        #expect(jpeg.suffix(2) == [0xFF, 0xD9])
        #expect(jpeg.count > 500 && jpeg.count < 60_000)
        // ffmpeg reads it back: 320 × 180, the masked top fifth black (limited-range black, 16,
        // shown as full-range JPEG), the rest the scene (60 and brighter).
        let gray = try ffmpegGray(jpeg)
        #expect(gray.count == 320 * 180)
        let top = gray[0..<(320 * 30)].map(Int.init).reduce(0, +) / (320 * 30)
        let bottom = gray[(320 * 100)..<(320 * 180)].map(Int.init).reduce(0, +) / (320 * 80)
        #expect(abs(top - 16) <= 3, "masked rows average \(top)")
        #expect(bottom > 60, "scene rows average \(bottom)")
    }

    func ffmpegGray(_ jpeg: [UInt8]) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("motion-thumb-\(UUID().uuidString).jpg").path
        FileManager.default.createFile(atPath: path, contents: Data(jpeg))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-hide_banner", "-loglevel", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }
}
