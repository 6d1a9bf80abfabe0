/// Which CSV columns hold what, and how to read them. Columns are named by their header text
/// (case and surrounding spaces ignored) or, when ``hasHeader`` is false, by their 1-based
/// position as text (`"3"`).
public struct OffenceCSVMapping: Sendable, Hashable, Codable {
    /// Where the time comes from.
    public enum TimeColumns: Sendable, Hashable, Codable {
        /// One column holding date and time.
        case single(column: String, format: DateTimeFormat)
        /// A date column and an optional time column (a missing time column means midnight).
        case separate(date: String, dateFormat: DateTimeFormat, time: String?, timeFormat: String)
    }

    /// Where the place comes from.
    public enum PlaceColumns: Sendable, Hashable, Codable {
        /// WGS84 latitude and longitude in decimal degrees (a decimal comma is accepted).
        case coordinates(latitude: String, longitude: String)
        /// Local metres of the city's projection.
        case local(x: String, y: String)
        /// A full address in one column, matched with an ``AddressGazetteer``.
        case address(column: String)
        /// Street and house number in two columns.
        case addressParts(street: String, houseNumber: String)
    }

    public var delimiter: Character
    public var hasHeader: Bool
    /// Column holding the police reference; nil gives ids `idPrefix` + line number.
    public var id: String?
    public var idPrefix: String
    public var time: TimeColumns
    public var place: PlaceColumns
    public var type: String
    /// Raw value (compared after case folding and trimming) → register type. Raw values that are
    /// already a register type need no entry.
    public var typeValues: [String: String]
    /// Column holding the status; nil means every offence is `registered`.
    public var status: String?
    /// Raw value → status; `registered`/`solved` themselves need no entry.
    public var statusValues: [String: OffenceStatus]
    /// Column with footage links, several separated by `|` or spaces.
    public var footage: String?

    public init(delimiter: Character = ",", hasHeader: Bool = true, id: String? = nil, idPrefix: String = "csv-",
                time: TimeColumns, place: PlaceColumns, type: String, typeValues: [String: String] = [:],
                status: String? = nil, statusValues: [String: OffenceStatus] = [:], footage: String? = nil) {
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.id = id
        self.idPrefix = idPrefix
        self.time = time
        self.place = place
        self.type = type
        self.typeValues = typeValues
        self.status = status
        self.statusValues = statusValues
        self.footage = footage
    }

    enum CodingKeys: String, CodingKey {
        case delimiter, hasHeader, id, idPrefix, time, place, type, typeValues, status, statusValues, footage
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = try c.decodeIfPresent(String.self, forKey: .delimiter) ?? ","
        guard d.count == 1, let ch = d.first else {
            throw DecodingError.dataCorruptedError(forKey: .delimiter, in: c, debugDescription: "must be one character")
        }
        delimiter = ch
        hasHeader = try c.decodeIfPresent(Bool.self, forKey: .hasHeader) ?? true
        id = try c.decodeIfPresent(String.self, forKey: .id)
        idPrefix = try c.decodeIfPresent(String.self, forKey: .idPrefix) ?? "csv-"
        time = try c.decode(TimeColumns.self, forKey: .time)
        place = try c.decode(PlaceColumns.self, forKey: .place)
        type = try c.decode(String.self, forKey: .type)
        typeValues = try c.decodeIfPresent([String: String].self, forKey: .typeValues) ?? [:]
        status = try c.decodeIfPresent(String.self, forKey: .status)
        statusValues = try c.decodeIfPresent([String: OffenceStatus].self, forKey: .statusValues) ?? [:]
        footage = try c.decodeIfPresent(String.self, forKey: .footage)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(String(delimiter), forKey: .delimiter)
        try c.encode(hasHeader, forKey: .hasHeader)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(idPrefix, forKey: .idPrefix)
        try c.encode(time, forKey: .time)
        try c.encode(place, forKey: .place)
        try c.encode(type, forKey: .type)
        try c.encode(typeValues, forKey: .typeValues)
        try c.encodeIfPresent(status, forKey: .status)
        try c.encode(statusValues, forKey: .statusValues)
        try c.encodeIfPresent(footage, forKey: .footage)
    }
}
