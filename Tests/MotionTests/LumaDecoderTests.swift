import Media
import Motion
import Simulator
import Testing

/// The decoder on streams from the real encoder (libx264, libx265).
@Suite struct LumaDecoderTests {
    @Test(arguments: [SimCodec.h264, .h265])
    func decodesLumaAtTheAnalysisRateAndSize(codec: SimCodec) throws {
        let camera = try EncodedScene(scene(codec: codec, night: false, seconds: 4, seed: 7, width: 640, height: 360))
        let decoder = try LumaDecoder(codec: camera.codec, parameterSets: camera.parameterSets)
        var pictures: [LumaFrame] = []
        for unit in camera.units { if let p = try decoder.decode(unit) { pictures.append(p) } }
        // 4 s at 5 fps, every picture decoded (no B-frames, all reference pictures).
        #expect(pictures.count == 20)
        #expect(decoder.picturesDecoded == camera.units.count)
        #expect(pictures.allSatisfy { $0.width == 320 && $0.height == 180 })
        #expect(zip(pictures, pictures.dropFirst()).allSatisfy { $1.timestamp - $0.timestamp == 18_000 })
        // The picture is the scene: compare with the renderer's own luma, box-downscaled.
        let reference = render(camera.renderer, frame: Int(pictures[7].timestamp / 3600))
        let difference = zip(pictures[7].pixels, reference).map { abs(Int($0) - Int($1)) }.reduce(0, +) / reference.count
        #expect(difference < 4, "mean absolute difference \(difference) from the rendered scene")
    }

    /// Many cameras send their parameter sets only in the SDP (`sprop-parameter-sets`), not before
    /// each key frame: the decoder must get them out of band. (They were passed as an array of
    /// arrays' storage, which decoded nothing, until the stream repeated them in band.)
    @Test(arguments: [SimCodec.h264, .h265])
    func decodesWithParameterSetsOnlyOutOfBand(codec: SimCodec) throws {
        let camera = try EncodedScene(scene(codec: codec, night: false, seconds: 2, seed: 7, width: 640, height: 360))
        let parameterSetTypes: Set<UInt8> = codec == .h264 ? [7, 8] : [32, 33, 34]
        func type(_ nal: [UInt8]) -> UInt8 { codec == .h264 ? nal[0] & 0x1F : (nal[0] >> 1) & 0x3F }
        let stripped = camera.units.map { unit in
            var u = unit
            u.nalUnits.removeAll { parameterSetTypes.contains(type($0)) }
            return u
        }
        #expect(camera.units.contains { $0.nalUnits.contains { parameterSetTypes.contains(type($0)) } }, "the stream had them in band")
        #expect(!stripped.contains { $0.nalUnits.contains { parameterSetTypes.contains(type($0)) } })
        let decoder = try LumaDecoder(codec: camera.codec, parameterSets: camera.parameterSets)
        var pictures = 0
        for unit in stripped { if try decoder.decode(unit) != nil { pictures += 1 } }
        #expect(pictures == 10)
        #expect(decoder.picturesDecoded == stripped.count)
    }

    @Test func badAccessUnitsGetNamedErrorsAndDecodingRecovers() throws {
        let camera = try EncodedScene(scene(codec: .h264, night: false, seconds: 4, seed: 7, width: 640, height: 360))
        let decoder = try LumaDecoder(codec: camera.codec, parameterSets: camera.parameterSets)
        for unit in camera.units.prefix(10) { _ = try decoder.decode(unit) }
        // An empty access unit is rejected with its number and time.
        let empty = AccessUnit(timestamp: 36_000, rtpTimestamp: 0, isKeyFrame: false, nalUnits: [])
        do {
            _ = try decoder.decode(empty)
            Issue.record("an empty access unit was accepted")
        } catch {
            #expect(error.isDecoderError)
            #expect(error.subject == "access unit #11 (90 kHz time 36000)")
        }
        // Garbage in slices: an error or a concealed picture, never a crash.
        var rng = SplitMix(seed: 3)
        for unit in camera.units[11..<20] {
            var bad = unit
            bad.nalUnits = bad.nalUnits.map { nal in [nal[0]] + (1..<max(2, nal.count)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
            _ = try? decoder.decode(bad)
        }
        // From the next key frame on, pictures come again.
        var after = 0
        for unit in camera.units[50...] { if try decoder.decode(unit) != nil { after += 1 } }
        #expect(after >= 9)
    }

    @Test func analyzerNeedsAStreamFirst() throws {
        let analyzer = MotionAnalyzer(configuration: try MotionConfiguration())
        #expect(throws: MotionError.self) {
            _ = try analyzer.accessUnit(AccessUnit(timestamp: 0, rtpTimestamp: 0, isKeyFrame: true, nalUnits: [[0x65, 0x88]]))
        }
    }

    /// The renderer's luma of one frame, averaged 2 × 2 (640 × 360 → 320 × 180).
    func render(_ renderer: SceneRenderer, frame: Int) -> [UInt8] {
        let (w, h) = (renderer.spec.width, renderer.spec.height)
        var y = [UInt8](repeating: 0, count: w * h)
        var u = [UInt8](repeating: 0, count: w * h / 4)
        var v = [UInt8](repeating: 0, count: w * h / 4)
        y.withUnsafeMutableBufferPointer { yp in
            u.withUnsafeMutableBufferPointer { up in
                v.withUnsafeMutableBufferPointer { vp in
                    renderer.render(frame: frame, y: yp.baseAddress!, yStride: w, u: up.baseAddress!, uStride: w / 2, v: vp.baseAddress!, vStride: w / 2)
                }
            }
        }
        var out = [UInt8](repeating: 0, count: w * h / 4)
        for oy in 0..<(h / 2) {
            for ox in 0..<(w / 2) {
                let s = Int(y[2 * oy * w + 2 * ox]) + Int(y[2 * oy * w + 2 * ox + 1]) + Int(y[(2 * oy + 1) * w + 2 * ox]) + Int(y[(2 * oy + 1) * w + 2 * ox + 1])
                out[oy * (w / 2) + ox] = UInt8((s + 2) / 4)
            }
        }
        return out
    }
}
