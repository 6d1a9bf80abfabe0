import City

/// Reads offences from a police-statistics CSV export. All or nothing: any bad value stops the
/// import and every problem found is reported with its line and column, e.g.
/// `line 17, column "date": "31.02.2025" is not a date`.
public struct OffenceCSVImporter: Sendable {
    public var mapping: OffenceCSVMapping
    public var types: OffenceTypeList
    /// Needed when the mapping reads addresses.
    public var gazetteer: AddressGazetteer?
    /// Stop collecting after this many problems.
    public var maximumProblems = 50

    public init(mapping: OffenceCSVMapping, types: OffenceTypeList = .standard, gazetteer: AddressGazetteer? = nil) {
        self.mapping = mapping
        self.types = types
        self.gazetteer = gazetteer
    }

    public func importOffences(_ text: String) throws(OffenceImportError) -> [Offence] {
        let records: [CSVParser.Record]
        do {
            records = try CSVParser(delimiter: mapping.delimiter).parse(text)
        } catch {
            throw OffenceImportError(problems: [.init(line: error.line, column: nil, message: error.reason)])
        }
        guard let first = records.first else {
            throw OffenceImportError(problems: [.init(line: 1, column: nil, message: "the file holds no records")])
        }
        // Resolve column names to indices.
        var index: [String: Int] = [:]
        if mapping.hasHeader {
            for (i, name) in first.fields.enumerated() { index[Self.key(name)] = index[Self.key(name)] ?? i }
        } else {
            for i in 0..<(records.map(\.fields.count).max() ?? 0) { index[String(i + 1)] = i }
        }
        var problems: [OffenceImportError.Problem] = []
        var columns: [String: Int] = [:]
        for name in requiredColumns {
            if let i = index[Self.key(name)] { columns[name] = i } else {
                problems.append(.init(line: first.line, column: name, message: "no such column in the header"))
            }
        }
        if case .address = mapping.place, gazetteer == nil {
            problems.append(.init(line: first.line, column: nil, message: "addresses need a map to match against"))
        }
        if case .addressParts = mapping.place, gazetteer == nil {
            problems.append(.init(line: first.line, column: nil, message: "addresses need a map to match against"))
        }
        guard problems.isEmpty else { throw OffenceImportError(problems: problems) }

        let typeMap = Dictionary(mapping.typeValues.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        let statusMap = Dictionary(mapping.statusValues.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        var out: [Offence] = []
        var ids: [String: Int] = [:]
        for record in records.dropFirst(mapping.hasHeader ? 1 : 0) {
            if problems.count >= maximumProblems { break }
            let line = record.line
            func value(_ name: String) -> String? {
                guard let i = columns[name] else { return nil }
                return i < record.fields.count ? record.fields[i].trimmingSpaces : nil
            }
            func problem(_ column: String, _ message: String) {
                problems.append(.init(line: line, column: column, message: message))
            }
            func quoted(_ s: String) -> String { "\"\(s)\"" }

            // Time
            var time: Int64?
            switch mapping.time {
            case .single(let column, let format):
                let raw = value(column) ?? ""
                time = format.parse(raw)
                if time == nil { problem(column, "\(quoted(raw)) is not a date and time in the form \(format.pattern)") }
            case .separate(let dateColumn, let dateFormat, let timeColumn, let timeFormat):
                let raw = value(dateColumn) ?? ""
                if let day = dateFormat.parse(raw) {
                    if let timeColumn {
                        let rawTime = value(timeColumn) ?? ""
                        if rawTime.isEmpty { time = day } else if let t = Self.timeOfDay(rawTime, timeFormat) {
                            time = day + t
                        } else { problem(timeColumn, "\(quoted(rawTime)) is not a time of day in the form \(timeFormat)") }
                    } else { time = day }
                } else { problem(dateColumn, "\(quoted(raw)) is not a date") }
            }

            // Place
            var location: OffenceLocation?
            var address: String?
            switch mapping.place {
            case .coordinates(let latColumn, let lonColumn):
                let la = Self.number(value(latColumn) ?? "")
                let lo = Self.number(value(lonColumn) ?? "")
                if la == nil || !(-90...90).contains(la!) { problem(latColumn, "\(quoted(value(latColumn) ?? "")) is not a latitude") }
                if lo == nil || !(-180...180).contains(lo!) { problem(lonColumn, "\(quoted(value(lonColumn) ?? "")) is not a longitude") }
                if let la, let lo { location = .geo(GeoCoordinate(latitude: la, longitude: lo)) }
            case .local(let xColumn, let yColumn):
                let x = Self.number(value(xColumn) ?? "")
                let y = Self.number(value(yColumn) ?? "")
                if x == nil { problem(xColumn, "\(quoted(value(xColumn) ?? "")) is not a number of metres") }
                if y == nil { problem(yColumn, "\(quoted(value(yColumn) ?? "")) is not a number of metres") }
                if let x, let y { location = .local(Point(x: x, y: y)) }
            case .address(let column):
                let raw = value(column) ?? ""
                address = raw
                if let m = gazetteer?.match(raw) { location = .local(m.point) } else {
                    problem(column, "\(quoted(raw)) matches no address on the map")
                }
            case .addressParts(let streetColumn, let numberColumn):
                let raw = [value(streetColumn) ?? "", value(numberColumn) ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
                address = raw
                if let m = gazetteer?.match(raw) { location = .local(m.point) } else {
                    problem(streetColumn, "\(quoted(raw)) matches no address on the map")
                }
            }

            // Type
            let rawType = value(mapping.type) ?? ""
            var type: String?
            if let mapped = typeMap[Self.key(rawType)] {
                if types.contains(mapped) { type = mapped } else {
                    problem(mapping.type, "\(quoted(rawType)) maps to \(quoted(mapped)), which is not in the list of offence types")
                }
            } else if types.contains(Self.key(rawType)) {
                type = Self.key(rawType)
            } else {
                problem(mapping.type, "\(quoted(rawType)) is not a known offence type (known: \(types.types.joined(separator: ", ")))")
            }

            // Status
            var status = OffenceStatus.registered
            if let column = mapping.status {
                let raw = value(column) ?? ""
                if let s = statusMap[Self.key(raw)] ?? OffenceStatus(rawValue: Self.key(raw)) { status = s } else {
                    problem(column, "\(quoted(raw)) is not a status (registered or solved)")
                }
            }

            // Id
            var id = mapping.idPrefix + String(line)
            if let column = mapping.id {
                let raw = value(column) ?? ""
                if raw.isEmpty { problem(column, "the id is empty") } else { id = raw }
            }
            if let earlier = ids[id] { problem(mapping.id ?? "id", "id \(quoted(id)) repeats line \(earlier)") }
            ids[id] = line

            var links: [String] = []
            if let column = mapping.footage {
                links = (value(column) ?? "").split(whereSeparator: { $0 == "|" || $0 == " " }).map(String.init)
            }
            if let time, let location, let type {
                out.append(Offence(id: id, time: time, location: location, type: type, status: status,
                                   footageLinks: links, address: address))
            }
        }
        guard problems.isEmpty else { throw OffenceImportError(problems: problems) }
        return out
    }

    private var requiredColumns: [String] {
        var names: [String] = []
        switch mapping.time {
        case .single(let c, _): names.append(c)
        case .separate(let d, _, let t, _): names.append(d); if let t { names.append(t) }
        }
        switch mapping.place {
        case .coordinates(let a, let b), .local(let a, let b), .addressParts(let a, let b): names += [a, b]
        case .address(let a): names.append(a)
        }
        names.append(mapping.type)
        if let s = mapping.status { names.append(s) }
        if let i = mapping.id { names.append(i) }
        if let f = mapping.footage { names.append(f) }
        return names
    }

    static func key(_ s: String) -> String { s.trimmingSpaces.lowercased() }

    /// A decimal number; a decimal comma (`43,7384`) is accepted.
    static func number(_ s: String) -> Double? {
        guard !s.isEmpty else { return nil }
        let t = s.contains(".") ? s : s.replacingOccurrences(of: ",", with: ".")
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }

    /// Microseconds since midnight for "HH:mm" or "HH:mm:ss" patterns.
    static func timeOfDay(_ s: String, _ pattern: String) -> Int64? {
        guard let t = DateTimeFormat("yyyy-MM-dd " + pattern).parse("1970-01-01 " + s) else { return nil }
        return t
    }
}

/// Why a CSV import was refused; nothing was imported.
public struct OffenceImportError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        /// 1-based line in the file.
        public var line: Int
        /// The mapped column's name, when one value is at fault.
        public var column: String?
        public var message: String

        public var description: String {
            if let column { return "line \(line), column \"\(column)\": \(message)" }
            return "line \(line): \(message)"
        }
    }

    public var problems: [Problem]

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
