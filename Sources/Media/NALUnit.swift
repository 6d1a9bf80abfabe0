/// Helpers for H.264 and H.265 NAL units (without start codes).
public enum NALUnit {
    /// The H.264 `nal_unit_type` (low 5 bits of the first byte), or 0 for an empty NAL unit.
    public static func h264Type(_ nal: [UInt8]) -> UInt8 {
        guard let first = nal.first else { return 0 }
        return first & 0x1F
    }

    /// The H.265 `nal_unit_type` (bits 1...6 of the first byte), or 0 for an empty NAL unit.
    public static func h265Type(_ nal: [UInt8]) -> UInt8 {
        guard let first = nal.first else { return 0 }
        return (first >> 1) & 0x3F
    }

    /// Returns the raw byte sequence payload: every `00 00 03` becomes `00 00`.
    public static func removeEmulationPrevention(_ nal: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(nal.count)
        var zeros = 0
        for byte in nal {
            if zeros >= 2 && byte == 0x03 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            out.append(byte)
        }
        return out
    }

    /// Inserts emulation-prevention bytes so `rbsp` can be carried as a NAL unit:
    /// `00 00` followed by 00, 01, 02 or 03 gets a `03` in between, and a trailing `00 00` gets a
    /// final `03`.
    public static func addEmulationPrevention(_ rbsp: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rbsp.count + rbsp.count / 64)
        var zeros = 0
        for byte in rbsp {
            if zeros >= 2 && byte <= 0x03 {
                out.append(0x03)
                zeros = 0
            }
            zeros = byte == 0 ? zeros + 1 : 0
            out.append(byte)
        }
        // A NAL unit must not end in 00 00 (the next start code would merge with it).
        if zeros >= 2 { out.append(0x03) }
        return out
    }
}
