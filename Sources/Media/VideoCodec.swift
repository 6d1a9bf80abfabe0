/// A video codec Aula can record.
public enum VideoCodec: String, Sendable, Codable, Hashable, CaseIterable {
    case h264 = "H.264"
    case h265 = "H.265"
}
