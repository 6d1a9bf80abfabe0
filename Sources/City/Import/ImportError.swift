/// Why an import was refused. Imports are all-or-nothing: when this is thrown nothing was imported.
/// (Features broken in an otherwise sound OSM file are not refused but skipped, and named in
/// ``CityModel/warnings``.)
///
/// `element` names what failed the way a user can find it: `line 88` for broken XML or JSON,
/// `PBF block 3 (file offset 70112)` for OSM PBF, `node 9` for an OSM node with no valid
/// position, `feature 4` for GeoJSON features.
public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failing line or feature, e.g. `way 123`.
    public var element: String
    /// What is wrong with it, e.g. `unexpected end of document`.
    public var reason: String

    public init(element: String, reason: String) {
        self.element = element
        self.reason = reason
    }

    /// `element: reason`, e.g. `line 88: unexpected end of document`.
    public var description: String { "\(element): \(reason)" }
}
