import Foundation
import Testing
@testable import QRCode

@Suite("Texts that do not fit, and the empty text")
struct ErrorTests {
    @Test("one byte over version 40's capacity names the length and the limit", arguments: QRCode.Correction.allCases)
    func tooLong(correction: QRCode.Correction) throws {
        let limit = QRCode.capacity(version: 40, correction: correction)
        let full = sampleText(length: limit, seed: 40)
        #expect(try QRCode(full, correction: correction).version == 40)
        let error = #expect(throws: QRCode.TextTooLong.self) { try QRCode(full + "x", correction: correction) }
        #expect(error?.byteCount == limit + 1)
        #expect(error?.limit == limit)
        #expect(error?.description.contains("\(limit + 1) bytes") == true)
        #expect(error?.description.contains("at most \(limit)") == true)
    }

    @Test("the limit counts UTF-8 bytes, not characters")
    func multibyte() throws {
        let limit = QRCode.capacity(version: 40, correction: .high)
        let letters = String(repeating: "Қ", count: limit / 2 + 1) // two bytes each
        let error = #expect(throws: QRCode.TextTooLong.self) { try QRCode(letters, correction: .high) }
        #expect(error?.byteCount == letters.utf8.count)
    }

    @Test("a fixed version too small for the text")
    func fixedVersionTooSmall() throws {
        let text = sampleText(length: QRCode.capacity(version: 2, correction: .low) + 1, seed: 2)
        let error = #expect(throws: QRCode.TextTooLong.self) { try QRCode(text, correction: .low, version: 2, mask: nil) }
        #expect(error?.version == 2)
        #expect(try QRCode(text, correction: .low).version == 3)
    }

    @Test("the empty text is a version 1 code that reads back empty")
    func empty() throws {
        let code = try QRCode("")
        #expect(code.version == 1)
        #expect(try decodeWithZbar(code) == "")
    }
}
