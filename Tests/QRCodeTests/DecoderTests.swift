import Foundation
import Testing
@testable import QRCode

/// Codes read back by a real decoder, zbarimg (zbar-tools), from pictures the test draws.
@Suite("QR codes read by zbarimg")
struct DecoderTests {
    @Test("checkpoint URLs, short and long, at every correction level", arguments: QRCode.Correction.allCases)
    func urls(correction: QRCode.Correction) throws {
        for length in [20, 60, 150, 400] {
            let url = sampleText(length: length, seed: UInt64(length))
            let code = try QRCode(url, correction: correction)
            #expect(try decodeWithZbar(code) == url, "\(length) characters at \(correction), version \(code.version)")
        }
    }

    /// Every version from 1 to 40, each with a text exactly as long as the version holds (so the
    /// data has no terminator or padding), the levels taken in turn.
    @Test("every version, filled to capacity", arguments: 1...40)
    func fullVersions(version: Int) throws {
        let correction = QRCode.Correction.allCases[version % 4]
        let capacity = QRCode.capacity(version: version, correction: correction)
        let text = sampleText(length: capacity, seed: UInt64(version))
        let code = try QRCode(text, correction: correction)
        #expect(code.version == version, "\(capacity) bytes at \(correction) is the capacity of version \(version)")
        #expect(code.size == 17 + 4 * version)
        #expect(try decodeWithZbar(code) == text, "version \(version) at \(correction)")
        if version < 40 {
            let oneMore = try QRCode(text + "x", correction: correction)
            #expect(oneMore.version == version + 1)
            #expect(try decodeWithZbar(oneMore) == text + "x")
        }
    }

    @Test("Kazakh and Russian text as UTF-8")
    func cyrillic() throws {
        let texts = [
            "Бақылау нүктесі №3 — Жезқазған, Абай көшесі 12, аула",
            "Контрольная точка: двор на ул. Ленина, 5 (Сатпаев)",
            "https://aula.example.kz/guard.html?checkpoint=Xk3&name=Қақпа-Өткел-Үй",
        ]
        for (index, text) in texts.enumerated() {
            let code = try QRCode(text, correction: QRCode.Correction.allCases[index])
            #expect(try decodeWithZbar(code) == text)
        }
    }

    @Test("every mask, fixed", arguments: 0..<8)
    func masks(mask: Int) throws {
        let text = sampleText(length: 60, seed: 7)
        let code = try QRCode(text, correction: .quartile, version: 8, mask: mask)
        #expect(code.mask == mask)
        #expect(try decodeWithZbar(code) == text)
    }

    @Test("the SVG, drawn as a picture, reads back")
    func svg() throws {
        let text = sampleText(length: 60, seed: 3)
        let code = try QRCode(text)
        let quietZone = 4
        let svg = code.svg(moduleSize: 5, quietZone: quietZone)
        let side = code.size + 2 * quietZone
        #expect(svg.contains("width=\"\(side * 5)\""))
        #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2, "one path")
        let painted = try paintPath(svg, side: side)
        for y in 0..<code.size {
            for x in 0..<code.size where painted[(y + quietZone) * side + x + quietZone] != code[x, y] {
                Issue.record("module (\(x), \(y)) is painted \(!code[x, y]) in the SVG")
            }
        }
        #expect(try decodeWithZbar(size: side) { painted[$1 * side + $0] } == text)
    }

    /// Fills the rectangles of the SVG's path (absolute `M`, relative `h`, `v`, closed by `z`).
    private func paintPath(_ svg: String, side: Int) throws -> [Bool] {
        guard let start = svg.range(of: " d=\""), let end = svg[start.upperBound...].firstIndex(of: "\"") else {
            throw PeerFailure(description: "no path data in \(svg.prefix(200))")
        }
        var painted = [Bool](repeating: false, count: side * side)
        let scanner = Scanner(string: String(svg[start.upperBound..<end]))
        while !scanner.isAtEnd {
            guard scanner.scanString("M") != nil, let x = scanner.scanInt(), let y = scanner.scanInt(),
                  scanner.scanString("h") != nil, let width = scanner.scanInt(),
                  scanner.scanString("v1h-") != nil, scanner.scanInt() == width, scanner.scanString("z") != nil
            else { throw PeerFailure(description: "unexpected path data at \(scanner.currentIndex)") }
            for column in x..<(x + width) { painted[y * side + column] = true }
        }
        return painted
    }
}
