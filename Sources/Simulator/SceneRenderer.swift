/// Draws the frames of a ``SceneSpec`` as planar YUV 4:2:0.
///
/// The background is drawn once; each frame copies it, darkens it for night scenes, adds sensor
/// noise, and paints the objects that are in view. The schedule of objects is the ground truth that
/// motion detection is later measured against.
public struct SceneRenderer: Sendable {
    public let spec: SceneSpec
    public let objects: [GroundTruthObject]
    let background: [UInt8]
    let chromaU: [UInt8]
    let chromaV: [UInt8]
    let noise: [UInt8]

    public init(spec: SceneSpec) {
        self.spec = spec
        var rng = SeededRandom(seed: spec.seed &* 0x2545_F491_4F6C_DD1D &+ 7)
        let w = spec.width, h = spec.height
        var bg = [UInt8](repeating: 0, count: w * h)
        var u = [UInt8](repeating: 128, count: (w / 2) * (h / 2))
        var v = [UInt8](repeating: 128, count: (w / 2) * (h / 2))
        // Sky-less courtyard: façade band at the top, ground below, a lawn and a path.
        let facade = h * 35 / 100
        for y in 0..<h {
            let base: UInt8 = y < facade ? 150 : 95
            for x in 0..<w { bg[y * w + x] = base }
        }
        // Windows on the façade.
        let windowW = max(4, w / 32), windowH = max(4, h / 18)
        var wy = h / 40
        while wy + windowH < facade - h / 40 {
            var wx = w / 40
            while wx + windowW < w {
                let lit: UInt8 = rng.next() % 3 == 0 ? 200 : 60
                for y in wy..<(wy + windowH) { for x in wx..<(wx + windowW) { bg[y * w + x] = lit } }
                wx += windowW * 2
            }
            wy += windowH * 2
        }
        // A lawn (green chroma) and a lighter path.
        let lawnTop = h * 70 / 100
        for y in lawnTop..<h { for x in 0..<(w / 2) { bg[y * w + x] = 80 } }
        for y in (lawnTop / 2)..<(h / 2) { for x in 0..<(w / 4) { u[y * (w / 2) + x] = 100; v[y * (w / 2) + x] = 100 } }
        for y in (h * 55 / 100)..<(h * 62 / 100) { for x in 0..<w { bg[y * w + x] = 125 } }
        background = bg
        chromaU = u
        chromaV = v
        var n = [UInt8](repeating: 0, count: w * h + 4096)
        for i in n.indices { n[i] = UInt8(truncatingIfNeeded: rng.next() % 13) }
        noise = n

        // The crossing schedule: an object every `meanGap` seconds on average (3 s by default),
        // people slower than cars.
        let loop = Double(spec.frameCount) / Double(spec.frameRate)
        var objects: [GroundTruthObject] = []
        var t = 0.5 + Double(rng.next() % 1000) / 1000
        var id = 1
        while t < loop - 1 {
            let isCar = rng.next() % 3 == 0
            let ow = isCar ? w / 6 : max(2, w / 40)
            let oh = isCar ? h / 8 : h / 6
            let crossing = isCar ? 2.0 + Double(rng.next() % 100) / 100 : 4.0 + Double(rng.next() % 300) / 100
            let leftToRight = rng.next() % 2 == 0
            let distance = Double(w + ow)
            let speed = (leftToRight ? 1 : -1) * distance / crossing
            let startX = leftToRight ? Double(-ow) : Double(w)
            let yTop = facade + Int(rng.next() % UInt64(max(1, h - facade - oh - 2)))
            let enter = t
            let exit = min(loop, t + crossing)
            objects.append(GroundTruthObject(
                id: id, kind: isCar ? .car : .person, enter: enter, exit: exit, startX: startX, speed: speed,
                y: yTop, w: ow, h: oh, luma: isCar ? (rng.next() % 2 == 0 ? 30 : 230) : 45))
            id += 1
            t += spec.meanGap / 2 + Double(rng.next() % 300) / 100 * (spec.meanGap / 3)
        }
        self.objects = objects
    }

    /// Renders frame `index` into the three planes (strides given), as an encoder's frame buffer.
    public func render(frame index: Int, y yPlane: UnsafeMutablePointer<UInt8>, yStride: Int,
                       u uPlane: UnsafeMutablePointer<UInt8>, uStride: Int, v vPlane: UnsafeMutablePointer<UInt8>, vStride: Int) {
        let w = spec.width, h = spec.height
        let t = Double(index) / Double(spec.frameRate)
        let loop = Double(spec.frameCount) / Double(spec.frameRate)
        // Night: a dark picture whose light slowly rises and falls over the loop, with noise.
        let gain: Int = spec.night ? Int(90 + 40 * (0.5 - 0.5 * cos(2 * Double.pi * t / loop))) : 256
        let noiseOffset = (index &* 7919) % 4096
        background.withUnsafeBufferPointer { bg in
            noise.withUnsafeBufferPointer { nz in
                for row in 0..<h {
                    let dst = yPlane + row * yStride
                    let src = bg.baseAddress! + row * w
                    let nrow = nz.baseAddress! + row * w + noiseOffset
                    if spec.night {
                        for x in 0..<w { dst[x] = UInt8(min(255, Int(src[x]) * gain >> 8 + Int(nrow[x]))) }
                    } else {
                        // A little sensor noise by day too, as real cameras have: it also makes the
                        // encoder spend its bit rate like on a real picture.
                        for x in 0..<w { dst[x] = src[x] &+ (nrow[x] & 3) }
                    }
                }
            }
        }
        for row in 0..<(h / 2) {
            chromaU.withUnsafeBufferPointer { (uPlane + row * uStride).update(from: $0.baseAddress! + row * (w / 2), count: w / 2) }
            chromaV.withUnsafeBufferPointer { (vPlane + row * vStride).update(from: $0.baseAddress! + row * (w / 2), count: w / 2) }
        }
        for object in objects where t >= object.enter && t < object.exit {
            let x0 = Int(object.startX + object.speed * (t - object.enter))
            let luma = spec.night ? UInt8(min(255, Int(object.luma) * gain >> 8 + 20)) : object.luma
            let xs = max(0, x0), xe = min(w, x0 + object.w)
            guard xs < xe else { continue }
            for row in max(0, object.y)..<min(h, object.y + object.h) {
                (yPlane + row * yStride + xs).update(repeating: luma, count: xe - xs)
            }
        }
    }

    /// The objects in view at time `t` (seconds from the loop start).
    public func objectsInView(at t: Double) -> [GroundTruthObject] {
        objects.filter { t >= $0.enter && t < $0.exit }
    }
}

import Foundation
import Randomness
