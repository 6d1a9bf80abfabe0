import Media
import Motion
import Simulator
import Testing

/// ``PrivacyTranscoder`` on its own: the output keeps the source's key frames, presentation times
/// and size, and the zone is black in the pictures it encodes.
@Suite struct PrivacyTranscoderTests {
    @Test func keyFramesTimesAndSizeFollowTheSource() throws {
        var spec = SceneSpec()
        spec.width = 320
        spec.height = 240
        spec.gopFrames = 10
        spec.loopSeconds = 2
        spec.bitRate = 300_000
        let stream = try SimulatedStream(spec: spec)
        let source = try VideoParameters(codec: .h264, parameterSets: stream.parameterSets)
        let zone = try ZonePolygon([.init(x: 0.25, y: 0.25), .init(x: 0.75, y: 0.25), .init(x: 0.75, y: 0.75), .init(x: 0.25, y: 0.75)])
        for options in [PrivacyTranscoder.Options.live, .export] {
            let transcoder = try PrivacyTranscoder(source: source, masker: PrivacyMasker(polygons: [zone]), options: options)
            var output: [AccessUnit] = []
            // Parameter sets only out of band, as many cameras send them (in the SDP).
            for var unit in stream.accessUnits {
                unit.nalUnits.removeAll { [7, 8].contains(NALUnit.h264Type($0)) }
                output += try transcoder.transcode(unit)
            }
            output += try transcoder.finish()
            let input = stream.accessUnits
            #expect(output.count == input.count, "\(options.preset)")
            #expect(output.map(\.timestamp) == input.map(\.timestamp), "\(options.preset)")
            #expect(output.map(\.isKeyFrame) == input.map(\.isKeyFrame), "key frames where the source has them (\(options.preset))")
            let parameters = try #require(transcoder.outputParameters)
            #expect(parameters.codec == .h264 && parameters.width == 320 && parameters.height == 240)
            // Decoded again, the zone is black and the rest is not.
            let decoder = try LumaDecoder(codec: .h264, parameterSets: parameters.parameterSets, options: {
                var o = LumaDecoder.Options()
                o.analysisWidth = 320
                o.analysisFPS = 25
                return o
            }())
            var pictures = 0
            for (i, unit) in output.enumerated() {
                var unit = unit
                // (In band: the analysis decoder, tuned for cameras, does not take libx264's
                // parameter sets out of band; an MP4 player takes them from the avcC.)
                if i == 0 { unit.nalUnits = [parameters.parameterSets.sps!, parameters.parameterSets.pps!] + unit.nalUnits }
                guard let picture = try decoder.decode(unit) else { continue }
                pictures += 1
                let w = picture.width, h = picture.height
                var inside = 0, insideN = 0, outside = 0, outsideN = 0
                for y in 0..<h {
                    for x in 0..<w {
                        let v = Int(picture.pixels[y * w + x])
                        if x > w * 3 / 10 && x < w * 7 / 10 && y > h * 3 / 10 && y < h * 7 / 10 { inside += v; insideN += 1 }
                        if y < h / 5 { outside += v; outsideN += 1 }
                    }
                }
                #expect(inside / insideN <= 20 && outside / outsideN > 40, "picture \(pictures): inside \(inside / insideN), outside \(outside / outsideN)")
            }
            #expect(pictures > 10, "decoded \(decoder.picturesDecoded) of \(decoder.unitsReceived)")
        }
    }
}
