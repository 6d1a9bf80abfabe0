/// What can go wrong when recorded video is planned or read; the HTTP layer turns each into a
/// problem (404 for no video, 500 for a file that changed under the index).
public enum FootageError: Error, Sendable, Equatable {
    /// Nothing recorded in the range (damaged recordings left out are counted).
    case noVideo(camera: Int64, start90k: Int64, end90k: Int64, damagedLeftOut: Int)
    /// A sample file the index names is gone (retention deleted it while it was being read).
    case missing(path: String)
    /// A sample file is shorter than its index says.
    case short(path: String)
}
