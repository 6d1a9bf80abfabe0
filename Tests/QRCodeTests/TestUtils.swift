import Foundation
import Testing
@testable import QRCode

struct PeerFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs `arguments` through `/usr/bin/env` (so the program is found on PATH) and returns its exit
/// status, standard output and standard error. A missing program is an error, never a skip.
func runPeer(_ arguments: [String]) throws -> (status: Int32, output: Data, error: String) {
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("aula-qr-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let errorHandle = try FileHandle(forWritingTo: errorFile)
    defer { try? errorHandle.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = errorHandle
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let error = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    if process.terminationStatus == 127 {
        throw PeerFailure(description: "\(arguments[0]) is not installed: run `AULA_WITH_TEST_PEERS=1 bash scripts/setup.sh` "
            + "and `python3 -m pip install -r scripts/requirements-test.txt`\n\(error)")
    }
    return (process.terminationStatus, data, error)
}

/// A temporary directory removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aula-qr-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

/// A binary greymap (PGM, which zbarimg reads without help) of a module matrix: `scale` pixels a
/// module, a light quiet zone of `quietZone` modules around it.
func greymap(size: Int, scale: Int = 4, quietZone: Int = 4, isDark: (Int, Int) -> Bool) -> Data {
    let side = (size + 2 * quietZone) * scale
    var pixels = [UInt8](repeating: 255, count: side * side)
    for y in 0..<size {
        for x in 0..<size where isDark(x, y) {
            for py in 0..<scale {
                let row = ((y + quietZone) * scale + py) * side
                for px in 0..<scale { pixels[row + (x + quietZone) * scale + px] = 0 }
            }
        }
    }
    return Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)
}

/// What a real decoder (zbarimg, from zbar-tools) reads from a picture of the module matrix.
func decodeWithZbar(size: Int, isDark: (Int, Int) -> Bool) throws -> String {
    try withTemporaryDirectory { dir in
        let file = dir.appendingPathComponent("code.pgm")
        try greymap(size: size, isDark: isDark).write(to: file)
        // -Sbinary: the symbol's bytes as they are. Without it zbar guesses a character set for byte
        // mode (a code without an ECI header), and takes mostly-ASCII text with a few UTF-8 letters
        // for Shift JIS.
        let result = try runPeer(["zbarimg", "--raw", "-q", "-Sbinary", file.path])
        guard result.status == 0 else {
            throw PeerFailure(description: "zbarimg read no QR code (status \(result.status)): \(result.error.suffix(500))")
        }
        return String(decoding: result.output, as: UTF8.self)
    }
}

func decodeWithZbar(_ code: QRCode) throws -> String {
    try decodeWithZbar(size: code.size) { code[$0, $1] }
}

/// A reproducible text of exactly `length` ASCII characters: the start of a checkpoint URL, then a
/// token whose characters depend on `seed`.
func sampleText(length: Int, seed: UInt64) -> String {
    let prefix = Array("https://aula.example.kz/guard.html?checkpoint=")
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var characters = Array(prefix.prefix(length))
    while characters.count < length {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        characters.append(alphabet[Int(state % UInt64(alphabet.count))])
    }
    return String(characters)
}

extension QRCode.Correction: CustomTestStringConvertible {
    public var testDescription: String { description }
}
