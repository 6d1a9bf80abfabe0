import City
import Foundation

/// Matches postal addresses ("Boulevard Albert 1er 12", "12, rue Grimaldi") to points on the map.
///
/// Two sources: address points (street + house number → point) handed in by the caller — taken from
/// OSM `addr:street`/`addr:housenumber` tags, a cadastre or a hand list — and the city's named
/// streets, which place a street-only address at the middle of the street's longest way. The
/// `CityModel` carries street names but not `addr:*` tags, so without address points only
/// street-level matching is available (docs/planning.md).
///
/// Matching is on a normalised form: case and accents folded, punctuation dropped, common
/// abbreviations expanded (`bd` → `boulevard`, `av` → `avenue`, `str` → `strasse` …).
public struct AddressGazetteer: Sendable {
    /// A known address.
    public struct AddressPoint: Sendable, Hashable, Codable {
        public var street: String
        public var houseNumber: String
        public var point: Point
        public init(street: String, houseNumber: String, point: Point) {
            self.street = street
            self.houseNumber = houseNumber
            self.point = point
        }
    }

    /// How precisely an address was placed.
    public enum Precision: String, Sendable, Hashable, Codable {
        case houseNumber
        case street
    }

    public struct Match: Sendable, Hashable {
        public var point: Point
        public var precision: Precision
    }

    private var houses: [String: Point] = [:]
    private var streets: [String: (length: Double, point: Point)] = [:]
    /// Whether an address whose house number is unknown may be placed at the middle of its street.
    public var allowStreetLevel: Bool

    public init(city: CityModel, addresses: [AddressPoint] = [], allowStreetLevel: Bool = true) {
        self.allowStreetLevel = allowStreetLevel
        for s in city.streets {
            guard let name = s.name else { continue }
            let key = Self.normalise(name)
            let length = s.length
            if let old = streets[key], old.length >= length { continue }
            streets[key] = (length, PlaneGeometry.point(along: s.line, at: length / 2))
        }
        for a in addresses {
            houses[Self.normalise(a.street) + " #" + Self.normalise(a.houseNumber)] = a.point
            if streets[Self.normalise(a.street)] == nil { streets[Self.normalise(a.street)] = (0, a.point) }
        }
    }

    /// The point of an address, or nil when neither the house nor (if allowed) the street is known.
    public func match(_ address: String) -> Match? {
        let (street, number) = Self.split(address)
        let key = Self.normalise(street)
        if let number, let p = houses[key + " #" + Self.normalise(number)] { return Match(point: p, precision: .houseNumber) }
        if allowStreetLevel || number == nil, let s = streets[key] { return Match(point: s.point, precision: .street) }
        return nil
    }

    static let abbreviations: [String: String] = [
        "bd": "boulevard", "bld": "boulevard", "blvd": "boulevard", "av": "avenue", "ave": "avenue",
        "r": "rue", "pl": "place", "str": "strasse", "straße": "strasse", "st": "street", "rd": "road",
        "ul": "ulitsa", "pr": "prospekt", "sq": "square", "ch": "chemin", "imp": "impasse", "all": "allee",
    ]

    /// Lowercase, accents folded, punctuation to spaces, abbreviations expanded, spaces collapsed.
    public static func normalise(_ text: String) -> String {
        let folded = text.replacingOccurrences(of: "ß", with: "ss")
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var cleaned = ""
        for c in folded.unicodeScalars {
            cleaned.unicodeScalars.append(CharacterSet.alphanumerics.contains(c) ? c : " ")
        }
        return cleaned.split(separator: " ").map { abbreviations[String($0)] ?? String($0) }.joined(separator: " ")
    }

    /// Splits "12, rue Grimaldi", "Rue Grimaldi 12a" or "Rue Grimaldi 12, Monaco" into street and
    /// house number. A house number is digits with at most one letter (`12`, `12a`, `12-14`);
    /// `1er` in "Boulevard Albert 1er" is part of the name.
    static func split(_ address: String) -> (street: String, number: String?) {
        let parts = address.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        guard let first = parts.first else { return ("", nil) }
        if isHouseNumber(first), parts.count > 1 { return (parts[1], first) }
        var words = first.split(separator: " ").map(String.init)
        if let last = words.last, words.count > 1, isHouseNumber(last) {
            words.removeLast()
            return (words.joined(separator: " "), last)
        }
        if let head = words.first, words.count > 1, isHouseNumber(head) {
            words.removeFirst()
            return (words.joined(separator: " "), head)
        }
        if parts.count > 1, isHouseNumber(parts[1]) { return (first, parts[1]) }
        return (first, nil)
    }

    static func isHouseNumber(_ s: String) -> Bool {
        let chars = Array(s.lowercased())
        guard let f = chars.first, f.isASCII, f.isNumber else { return false }
        var letters = 0
        for c in chars {
            if c.isASCII, c.isNumber { if letters > 0 { return false } ; continue }
            if c == "-" || c == "/" { continue }
            if c.isLetter { letters += 1; continue }
            return false
        }
        return letters <= 1
    }
}
