import Foundation
import Testing
@testable import QRCode

/// Our codes module for module against segno's for the same bytes, version, level and mask.
@Suite("QR codes against segno, an independent encoder")
struct ReferenceTests {
    @Test("every version at every level, text lengths from empty to full")
    func everyVersion() throws {
        var cases: [(text: String, correction: QRCode.Correction, version: Int, mask: Int)] = []
        for version in 1...40 {
            for correction in QRCode.Correction.allCases {
                let capacity = QRCode.capacity(version: version, correction: correction)
                let seed = UInt64(version * 4 + correction.rawValue)
                let length = [0, capacity, capacity / 2, Int(seed * 7919 % UInt64(capacity + 1))][Int(seed % 4)]
                cases.append((sampleText(length: length, seed: seed), correction, version, (version + correction.rawValue) % 8))
            }
        }
        try compare(cases)
    }

    @Test("all eight masks", arguments: [1, 2, 6, 7, 14, 21, 32, 40])
    func everyMask(version: Int) throws {
        let correction = QRCode.Correction.allCases[version % 4]
        let capacity = QRCode.capacity(version: version, correction: correction)
        let prefix = capacity > 40 ? "Бақылау нүктесі " : "" // 29 bytes
        let text = prefix + sampleText(length: (capacity - prefix.utf8.count) * 3 / 4, seed: 11)
        try compare((0..<8).map { (text, correction, version, $0) })
    }

    /// Both encoders choose the smallest version and the mask with the lowest penalty; each
    /// mask's penalty must also be the same as segno's, so a wrong term cannot hide behind a
    /// choice that happens to agree.
    @Test("the automatic version and mask, and every mask's penalty")
    func automaticChoice() throws {
        var texts: [(String, QRCode.Correction)] = []
        for index in 0..<96 {
            let length = (index * 37) % 500
            var text = sampleText(length: length, seed: UInt64(1000 + index))
            if index % 3 == 0 { text = "Қабылдау бөлмесі, Сәтбаев — " + text }
            texts.append((text, QRCode.Correction.allCases[index % 4]))
        }
        let answers = try askSegno(texts.map { SegnoRequest($0.0, correction: $0.1, penalties: true) })
        for ((text, correction), answer) in zip(texts, answers) {
            let code = try QRCode(text, correction: correction)
            let label = "\(text.utf8.count) bytes at \(correction)"
            #expect(code.version == answer.version, "version, \(label)")
            #expect(code.mask == answer.mask, "mask, \(label)")
            #expect(rows(code) == answer.rows, "modules, \(label)")
            let grid = QRCode.unmasked(Array(text.utf8), version: SymbolVersion(code.version), correction: correction)
            let ours = Mask.all.map { Penalty.score(grid.masked(with: $0)) }
            #expect(ours == answer.penalties, "penalties of the eight masks, \(label)")
        }
    }

    @Test("the capacity of every version at every level")
    func capacities() throws {
        var requests: [SegnoRequest] = []
        for version in 1...40 {
            for correction in QRCode.Correction.allCases {
                requests.append(SegnoRequest(capacity: QRCode.capacity(version: version, correction: correction),
                                             version: version, correction: correction))
            }
        }
        for (request, answer) in zip(requests, try askSegno(requests)) {
            #expect(answer.fits == true && answer.oneMoreFits == false,
                    "\(request.capacity!) bytes is the most version \(request.version!) holds at \(request.correction)")
        }
    }

    private func compare(_ cases: [(text: String, correction: QRCode.Correction, version: Int, mask: Int)]) throws {
        let answers = try askSegno(cases.map { SegnoRequest($0.text, correction: $0.correction, version: $0.version, mask: $0.mask) })
        for (item, answer) in zip(cases, answers) {
            let code = try QRCode(item.text, correction: item.correction, version: item.version, mask: item.mask)
            let ours = rows(code)
            let differing = zip(ours, answer.rows).enumerated().flatMap { y, pair in
                zip(pair.0, pair.1).enumerated().compactMap { x, modules in modules.0 == modules.1 ? nil : "(\(x), \(y))" }
            }
            #expect(ours.count == answer.rows.count && differing.isEmpty,
                    "version \(item.version) \(item.correction) mask \(item.mask), \(item.text.utf8.count) bytes: \(differing.count) modules differ, first \(differing.prefix(5))")
        }
    }
}
