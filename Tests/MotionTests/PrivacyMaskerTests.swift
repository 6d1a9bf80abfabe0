import Motion
import Testing

@Suite struct PrivacyMaskerTests {
    @Test func blacksOutOnlyTheMaskInAllPlanes() {
        let (w, h) = (64, 36)
        var y = [UInt8](repeating: 200, count: w * h)
        var u = [UInt8](repeating: 90, count: (w / 2) * (h / 2))
        var v = [UInt8](repeating: 170, count: (w / 2) * (h / 2))
        let masker = PrivacyMasker(zones: [
            Zone(name: "window", kind: .privacy, polygon: rect(0.25, 0.25, 0.5, 0.5)),
            Zone(name: "door", kind: .alert, polygon: rect(0.6, 0.6, 0.9, 0.9)),
        ])
        y.withUnsafeMutableBufferPointer { yp in
            u.withUnsafeMutableBufferPointer { up in
                v.withUnsafeMutableBufferPointer { vp in
                    masker.apply(y: yp.baseAddress!, yStride: w, u: up.baseAddress!, uStride: w / 2, v: vp.baseAddress!, vStride: w / 2, width: w, height: h)
                }
            }
        }
        // Inside: x 16..<32, y 9..<18 (pixel centres inside 0.25…0.5).
        for row in 0..<h {
            for col in 0..<w {
                let inside = col >= 16 && col < 32 && row >= 9 && row < 18
                #expect(y[row * w + col] == (inside ? PrivacyMasker.blackLuma : 200), "luma at \(col),\(row)")
            }
        }
        #expect(u[(6) * (w / 2) + 10] == PrivacyMasker.neutralChroma)
        #expect(v[(6) * (w / 2) + 10] == PrivacyMasker.neutralChroma)
        #expect(u[0] == 90 && v[0] == 170)
        // The alert zone is not a privacy mask.
        #expect(y[25 * w + 45] == 200)
    }

    @Test func respectsStride() {
        let (w, h, stride) = (10, 10, 16)
        var plane = [UInt8](repeating: 255, count: stride * h)
        let masker = PrivacyMasker(polygons: [rect(0, 0, 1, 1)])
        plane.withUnsafeMutableBufferPointer { masker.apply(luma: $0.baseAddress!, width: w, height: h, stride: stride) }
        for row in 0..<h {
            #expect(plane[row * stride..<(row * stride + w)].allSatisfy { $0 == PrivacyMasker.blackLuma })
            #expect(plane[(row * stride + w)..<(row * stride + stride)].allSatisfy { $0 == 255 }, "padding of row \(row) untouched")
        }
    }
}
