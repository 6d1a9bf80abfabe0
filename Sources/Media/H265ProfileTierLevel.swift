/// The general part of an H.265 `profile_tier_level()` (ITU-T H.265 7.3.3), which both the RFC 6381
/// codec string and the `hvcC` box repeat.
public struct H265ProfileTierLevel: Sendable, Equatable, Hashable {
    public var profileSpace: Int
    public var tier: Bool
    public var profileIDC: Int
    /// `general_profile_compatibility_flag[0...31]`, flag 0 in the most significant bit.
    public var compatibilityFlags: UInt32
    /// The 48 bits from `general_progressive_source_flag` to `general_inbld_flag`/reserved, in the low 48 bits.
    public var constraintFlags: UInt64
    public var levelIDC: Int

    init(_ reader: inout BitReader, maxSubLayersMinus1: Int) throws(MediaError) {
        profileSpace = Int(try reader.bits(2, "general_profile_space"))
        tier = try reader.bit("general_tier_flag")
        profileIDC = Int(try reader.bits(5, "general_profile_idc"))
        compatibilityFlags = try reader.bits(32, "general_profile_compatibility_flags")
        let high = UInt64(try reader.bits(16, "general_constraint_flags"))
        let low = UInt64(try reader.bits(32, "general_constraint_flags"))
        constraintFlags = high << 32 | low
        levelIDC = Int(try reader.bits(8, "general_level_idc"))

        var profilePresent: [Bool] = []
        var levelPresent: [Bool] = []
        for _ in 0..<maxSubLayersMinus1 {
            profilePresent.append(try reader.bit("sub_layer_profile_present_flag"))
            levelPresent.append(try reader.bit("sub_layer_level_present_flag"))
        }
        if maxSubLayersMinus1 > 0 {
            try reader.skip(2 * (8 - maxSubLayersMinus1), "reserved_zero_2bits")
        }
        for layer in 0..<maxSubLayersMinus1 {
            if profilePresent[layer] { try reader.skip(88, "sub_layer_profile") }
            if levelPresent[layer] { try reader.skip(8, "sub_layer_level_idc") }
        }
    }

    /// A readable profile name as tools print it ("Main", "Main 10", ...).
    public var profileName: String {
        switch profileIDC {
        case 1: "Main"
        case 2: "Main 10"
        case 3: "Main Still Picture"
        case 4: "Range Extensions"
        case 5: "High Throughput"
        case 9: "Screen Content"
        default:
            // Profile 0 with a compatibility flag set is common from older encoders.
            if compatibilityFlags & 0x4000_0000 != 0 { "Main" }
            else if compatibilityFlags & 0x2000_0000 != 0 { "Main 10" }
            else { "Profile \(profileIDC)" }
        }
    }
}
