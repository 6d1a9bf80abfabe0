/// A street centreline. Coverage of streets is measured along this line, by length.
public struct Street: Sendable, Hashable, Codable {
    public var source: String
    public var name: String?
    /// The OSM `highway` value (`primary`, `residential`, `footway` …).
    public var highwayClass: String
    /// Whether the class is one of ``ImportOptions/mainStreetClasses``.
    public var isMain: Bool
    public var line: [Point]

    public init(source: String, name: String?, highwayClass: String, isMain: Bool, line: [Point]) {
        self.source = source
        self.name = name
        self.highwayClass = highwayClass
        self.isMain = isMain
        self.line = line
    }

    /// Length in metres.
    public var length: Double {
        zip(line, line.dropFirst()).reduce(0) { $0 + $1.0.distance(to: $1.1) }
    }
}
