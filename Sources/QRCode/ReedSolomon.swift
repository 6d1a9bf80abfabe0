/// Reed–Solomon error correction over GF(256) as QR codes use it (ISO/IEC 18004, 7.5.2 and
/// annex A): the field is built on the primitive polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D) with
/// α = 2, and the generator polynomial of degree n is (x − α⁰)(x − α¹)…(x − αⁿ⁻¹).
enum ReedSolomon {
    /// αⁱ for i in 0..<255 (then repeating), and the logarithm of every non-zero element.
    private static let tables: (exp: [UInt8], log: [Int]) = {
        var exp = [UInt8](repeating: 0, count: 512)
        var log = [Int](repeating: 0, count: 256)
        var value = 1
        for i in 0..<255 {
            exp[i] = UInt8(value)
            log[value] = i
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        // A second copy so that exp[log a + log b] needs no reduction modulo 255.
        for i in 255..<512 { exp[i] = exp[i - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        if a == 0 || b == 0 { return 0 }
        return tables.exp[tables.log[Int(a)] + tables.log[Int(b)]]
    }

    /// The generator's coefficients without its leading 1, highest power first.
    static func generator(degree: Int) -> [UInt8] {
        // Start from the polynomial 1 and multiply by (x − αⁱ); in GF(2⁸) minus is plus.
        var poly: [UInt8] = [1]
        for i in 0..<degree {
            let root = tables.exp[i]
            var next = [UInt8](repeating: 0, count: poly.count + 1)
            for (j, coefficient) in poly.enumerated() {
                next[j] ^= coefficient                    // × x
                next[j + 1] ^= multiply(coefficient, root) // × αⁱ
            }
            poly = next
        }
        return Array(poly.dropFirst())
    }

    /// The error-correction codewords of one block: the remainder of data(x)·xⁿ divided by the
    /// generator of degree n, by long division.
    static func remainder(of data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var remainder = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for j in 0..<generator.count {
                remainder[j] ^= multiply(generator[j], factor)
            }
        }
        return remainder
    }
}
