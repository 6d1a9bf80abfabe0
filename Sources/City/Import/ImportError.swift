/// Why an import was refused. Imports are all-or-nothing: when this is thrown nothing was imported.
///
/// `element` names what failed the way a user can find it: `line 88` for broken XML or JSON,
/// `way 123` / `relation 7` / `node 9` for OSM elements, `feature 4` for GeoJSON features.
public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The failing line or feature, e.g. `way 123`.
    public var element: String
    /// What is wrong with it, e.g. `references missing node 456`.
    public var reason: String

    public init(element: String, reason: String) {
        self.element = element
        self.reason = reason
    }

    /// `element: reason`, e.g. `way 123: references missing node 456`.
    public var description: String { "\(element): \(reason)" }
}
