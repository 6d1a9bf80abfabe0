import City
import Foundation
import Planning

/// The JSON shapes of coverage figures (lengths in metres, areas in square metres, percentages
/// rounded to 0.01).
enum CityJSON {
    static func measure(_ m: CoverageMeasure) -> GeoValue {
        ["total": .num(m.total, 100), "covered": .num(m.covered, 100), "percent": .num(m.coveredPercent, 100),
         "lit": .num(m.lit, 100), "coveredLit": .num(m.coveredLit, 100), "coveredUnlit": .num(m.coveredUnlit, 100)]
    }

    static func figures(_ f: CoverageFigures) -> GeoValue {
        ["mainStreets": measure(f.mainStreets), "otherStreets": measure(f.otherStreets),
         "courtyards": measure(f.courtyards), "schoolGrounds": measure(f.schoolGrounds)]
    }

    static func report(_ r: CoverageReport) -> [String: GeoValue] {
        ["city": figures(r.city),
         "districts": .array(r.districts.map { ["name": .string($0.name), "source": .string($0.source), "figures": figures($0.figures)] }),
         "outsideDistricts": figures(r.outsideDistricts)]
    }

    static func area(_ a: AreaCoverage) -> GeoValue {
        ["kind": .string(a.kind.rawValue), "index": .number(Double(a.index)), "total": .num(a.measure.total, 100),
         "covered": .num(a.measure.covered, 100), "percent": .num(a.measure.coveredPercent, 100)]
    }

    static func piece(_ index: Int, _ p: StreetPieceCoverage, city: CityModel, writer: GeoJSONWriter) -> GeoValue {
        let street = city.streets[p.street]
        let length = p.from.distance(to: p.to)
        let seen = p.covered.reduce(0.0) { $0 + $1[0].distance(to: $1[1]) }
        return writer.feature("LineString", writer.line([p.from, p.to]), [
            "piece": .number(Double(index)), "street": .number(Double(p.street)), "isMain": .bool(street.isMain),
            "class": .string(street.highwayClass), "name": .optional(street.name),
            "district": p.district.map { .string(city.districts[$0].name) } ?? .null,
            "length": .num(length, 100), "coveredFraction": .num(length > 0 ? seen / length : 0, 10000),
            "covered": .array(p.covered.map { writer.line($0) }),
        ])
    }

    static func encode(_ value: GeoValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }
}
