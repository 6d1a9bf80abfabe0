import Randomness
import Testing
@testable import Media

@Suite struct MP4DecodeTimestampTests {
    enum Structure: CaseIterable {
        case ipp, ibp, ibbp, pyramid
    }

    /// Presentation times, in decoding order, of `gops` GOPs of `length` frames each (closed GOPs),
    /// one frame every `period` ticks from `start`.
    static func stream(_ structure: Structure, gops: Int, length: Int, period: Int64, start: Int64) -> [(pts: Int64, key: Bool)] {
        var out: [(pts: Int64, key: Bool)] = []
        var base = 0
        for _ in 0..<gops {
            var order: [Int] = [0]  // display indices within the GOP, in decoding order
            var next = 1
            let miniGOP: Int
            switch structure {
            case .ipp: miniGOP = 1
            case .ibp: miniGOP = 2
            case .ibbp: miniGOP = 3
            case .pyramid: miniGOP = 4
            }
            while next < length {
                let anchor = min(next + miniGOP - 1, length - 1)
                order.append(anchor)
                let bs = Array(next..<anchor)
                if structure == .pyramid && bs.count == 3 {
                    order += [bs[1], bs[0], bs[2]]  // the middle B is a reference for the outer two
                } else {
                    order += bs
                }
                next = anchor + 1
            }
            for (position, index) in order.enumerated() {
                out.append((start + Int64(base + index) * period, position == 0))
            }
            base += length
        }
        return out
    }

    static func run(_ input: [(pts: Int64, key: Bool)], window: Int = 4) -> [(dts: Int64, pts: Int64)] {
        var estimator = DecodeTimestampEstimator(window: window)
        var out: [(dts: Int64, pts: Int64)] = []
        for frame in input {
            out += estimator.push(pts: frame.pts, isKeyFrame: frame.key)
        }
        out += estimator.flush()
        #expect(estimator.irregularFrames == 0)
        return out
    }

    @Test func randomGOPStructures() {
        var rng = SeededRandom(seed: 0xD75)
        for _ in 0..<400 {
            let structure = Structure.allCases[Int(rng.next() % 4)]
            let period = Int64([3000, 3600, 3750, 1500, 7][Int(rng.next() % 5)])
            let input = Self.stream(
                structure, gops: Int(1 + rng.next() % 4), length: Int(1 + rng.next() % 40), period: period,
                start: Int64(rng.next() % 1_000_000) - 500_000)
            let output = Self.run(input)
            // Same frames, same (decoding) order.
            #expect(output.map(\.pts) == input.map(\.pts))
            // Increasing, never after presentation.
            #expect(zip(output, output.dropFirst()).allSatisfy { $0.dts < $1.dts })
            #expect(output.allSatisfy { $0.dts <= $0.pts })
            // The dts are the pts shifted by one constant.
            let shift = (input.map(\.pts).min() ?? 0) - (output.first?.dts ?? 0)
            #expect(output.map(\.dts).map { $0 + shift } == input.map(\.pts).sorted())
            // No reordering, no delay; otherwise the smallest delay that works.
            let reordered = zip(input, input.dropFirst()).contains { $0.pts > $1.pts }
            if !reordered {
                #expect(output.allSatisfy { $0.dts == $0.pts })
            } else {
                let needed = zip(input.map(\.pts).sorted(), input.map(\.pts)).map { $0 - $1 }.max() ?? 0
                #expect(shift == needed)
            }
        }
    }

    @Test func latencyIsTheReorderDepth() {
        for (structure, depth) in [(Structure.ipp, 0), (.ibp, 1), (.ibbp, 1), (.pyramid, 2)] {
            var estimator = DecodeTimestampEstimator()
            var pushed = 0
            var emitted = 0
            for frame in Self.stream(structure, gops: 4, length: 25, period: 3600, start: 0) {
                emitted += estimator.push(pts: frame.pts, isKeyFrame: frame.key).count
                pushed += 1
                if pushed > 2 * estimator.window {
                    #expect(pushed - emitted == depth, "\(structure)")
                }
            }
            #expect(estimator.reorderDepth == depth)
            emitted += estimator.flush().count
            #expect(emitted == pushed)
        }
    }

    @Test func ibbpExample() {
        // I0 P3 B1 B2 P6 B4 B5 (frame periods of 3600): delay one period.
        let pts: [Int64] = [0, 3, 1, 2, 6, 4, 5].map { $0 * 3600 }
        #expect(DecodeTimestampEstimator.decodeTimestamps(pts: pts) == [-1, 0, 1, 2, 3, 4, 5].map { $0 * 3600 })
        // A short stream is exact too, from flush alone.
        var estimator = DecodeTimestampEstimator()
        for value in pts { #expect(estimator.push(pts: value, isKeyFrame: value == 0).isEmpty) }
        #expect(estimator.flush().map(\.dts) == [-1, 0, 1, 2, 3, 4, 5].map { $0 * 3600 })
        #expect(DecodeTimestampEstimator.decodeTimestamps(pts: []) == [])
    }

    @Test func deeperReorderingLaterStaysIncreasing() {
        // IPPP for 40 frames, then IBBP: dts stay strictly increasing and the estimator adapts.
        var input = Self.stream(.ipp, gops: 1, length: 40, period: 3600, start: 0)
        input += Self.stream(.ibbp, gops: 3, length: 25, period: 3600, start: 40 * 3600)
        var estimator = DecodeTimestampEstimator()
        var output: [(dts: Int64, pts: Int64)] = []
        for frame in input { output += estimator.push(pts: frame.pts, isKeyFrame: frame.key) }
        output += estimator.flush()
        #expect(output.map(\.pts) == input.map(\.pts))
        #expect(zip(output, output.dropFirst()).allSatisfy { $0.dts < $1.dts })
        #expect(estimator.reorderDepth == 1)
        #expect(estimator.delay90k == 3600)
        // After the adaptation, dts ≤ pts again.
        #expect(output.suffix(40).allSatisfy { $0.dts <= $0.pts })
        #expect(estimator.irregularFrames < 10)
    }
}
