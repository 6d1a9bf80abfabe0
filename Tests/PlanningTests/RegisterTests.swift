import Foundation
import City
import Testing
@testable import Planning

@Suite struct CSVParserTests {
    @Test func quotedFieldsAndLineNumbers() throws {
        let text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,\"multi\nline\",3\n4,,\"\"\n"
        let records = try CSVParser().parse(text)
        #expect(records.map(\.line) == [1, 2, 4, 6])
        #expect(records[1].fields == ["1", "x, y", "say \"hi\""])
        #expect(records[2].fields == ["2", "multi\nline", "3"])
        #expect(records[3].fields == ["4", "", ""])
    }

    @Test func semicolonsAndNoFinalNewline() throws {
        let records = try CSVParser(delimiter: ";").parse("x;y\n1,5;2")
        #expect(records.map(\.fields) == [["x", "y"], ["1,5", "2"]])
    }

    @Test func malformedQuotes() {
        #expect(throws: CSVSyntaxError(line: 2, reason: "quoted field is never closed")) {
            try CSVParser().parse("a\n\"open\nstill")
        }
        #expect(throws: CSVSyntaxError(line: 1, reason: "text after a closing quote")) { try CSVParser().parse("\"a\"b,c") }
        #expect(throws: CSVSyntaxError(line: 1, reason: "quote inside an unquoted field")) { try CSVParser().parse("ab\"c\"") }
    }
}

@Suite struct DateTimeFormatTests {
    @Test func patterns() {
        #expect(DateTimeFormat("dd.MM.yyyy HH:mm").parse("04.03.2025 21:15") == CivilTime.microseconds(
            year: 2025, month: 3, day: 4, hour: 21, minute: 15))
        #expect(DateTimeFormat("dd.MM.yyyy").parse("31.02.2025") == nil)
        #expect(DateTimeFormat("dd.MM.yyyy").parse("29.02.2024") != nil)
        #expect(DateTimeFormat("yyyy-MM-dd'T'HH:mm").parse("2025-03-04T24:00") == nil)
        #expect(DateTimeFormat("d/M/yyyy", utcOffsetMinutes: 60).parse("4/3/2025")
                    == CivilTime.microseconds(year: 2025, month: 3, day: 3, hour: 23))
        #expect(DateTimeFormat.iso8601.parse("2025-03-04T21:15:30+01:00")
                    == CivilTime.microseconds(year: 2025, month: 3, day: 4, hour: 20, minute: 15, second: 30))
        #expect(DateTimeFormat.iso8601.parse("2025-03-04") == CivilTime.microseconds(year: 2025, month: 3, day: 4))
        #expect(DateTimeFormat.iso8601.parse("2025-3-4") == nil)
    }

    @Test func civilRoundTrip() {
        for d in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, day) = CivilTime.date(days: d)
            #expect(CivilTime.days(year: y, month: m, day: day) == d)
        }
        #expect(CivilTime.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilTime.days(year: 2000, month: 3, day: 1) == 11_017)
        let t = CivilTime.microseconds(year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        #expect(CivilTime.monthLabel(CivilTime.monthIndex(t)) == "2025-12")
        #expect(CivilTime.startOfMonth(CivilTime.monthIndex(t)) == CivilTime.microseconds(year: 2025, month: 12, day: 1))
        #expect(CivilTime.iso8601(t) == "2025-12-31T23:59:59Z")
        #expect(CivilTime.hourOfDay(t) == 23)
    }
}

@Suite struct OffenceImportTests {
    let mapping = OffenceCSVMapping(
        delimiter: ";", id: "Ref",
        time: .single(column: "Date", format: DateTimeFormat("dd.MM.yyyy HH:mm")),
        place: .coordinates(latitude: "Lat", longitude: "Lon"), type: "Offence",
        typeValues: ["Vol": "theft", "Dégradation": "vandalism", "Coups et blessures": "assault"],
        status: "Status", statusValues: ["élucidé": .solved, "en cours": .registered], footage: "Video")

    @Test func importsAllRows() throws {
        let csv = """
            Ref;Date;Lat;Lon;Offence;Status;Video
            P-1;04.03.2025 21:15;43,7384;7,4246;Vol;en cours;
            P-2;05.03.2025 02:40;43.7390;7.4250;"Dégradation";élucidé;"exp-1|exp-2"
            P-3;06.03.2025 23:05;43.7301;7.4200;theft;registered;
            """
        let offences = try OffenceCSVImporter(mapping: mapping).importOffences(csv)
        #expect(offences.count == 3)
        #expect(offences[0].id == "P-1")
        #expect(offences[0].type == "theft")
        #expect(offences[0].location == .geo(GeoCoordinate(latitude: 43.7384, longitude: 7.4246)))
        #expect(offences[0].time == CivilTime.microseconds(year: 2025, month: 3, day: 4, hour: 21, minute: 15))
        #expect(offences[1].status == .solved)
        #expect(offences[1].type == "vandalism")
        #expect(offences[1].footageLinks == ["exp-1", "exp-2"])
        #expect(offences.allSatisfy { !$0.synthetic })
    }

    @Test func allOrNothingWithLineNumbers() throws {
        let csv = "Ref;Date;Lat;Lon;Offence;Status;Video\n"
            + "P-1;04.03.2025 21:15;43.7;7.4;Vol;en cours;\n"
            + "P-2;31.02.2025 10:00;43.7;7.4;Vol;en cours;\n"
            + "P-3;01.03.2025 10:00;93.7;7.4;Arson;done;\n"
            + "P-1;01.03.2025 10:00;43.7;7.4;Vol;en cours;\n"
        do {
            _ = try OffenceCSVImporter(mapping: mapping).importOffences(csv)
            Issue.record("import should fail")
        } catch {
            let lines = error.problems.map(\.description)
            #expect(lines.contains("line 3, column \"Date\": \"31.02.2025 10:00\" is not a date and time in the form dd.MM.yyyy HH:mm"))
            #expect(lines.contains("line 4, column \"Lat\": \"93.7\" is not a latitude"))
            #expect(lines.contains { $0.hasPrefix("line 4, column \"Offence\": \"Arson\" is not a known offence type") })
            #expect(lines.contains("line 4, column \"Status\": \"done\" is not a status (registered or solved)"))
            #expect(lines.contains("line 5, column \"Ref\": id \"P-1\" repeats line 2"))
            #expect(error.problems.count == 5)
        }
    }

    @Test func missingColumnIsNamed() {
        #expect(throws: OffenceImportError(problems: [.init(line: 1, column: "Status", message: "no such column in the header")])) {
            try OffenceCSVImporter(mapping: mapping).importOffences("Ref;Date;Lat;Lon;Offence;Video\nx;01.01.2025 00:00;1;1;Vol;\n")
        }
    }

    @Test func separateDateAndTimeColumnsAndAddresses() throws {
        let city = tinyCity()
        let gazetteer = AddressGazetteer(city: city, addresses: [
            .init(street: "Rue Grimaldi", houseNumber: "12", point: Point(x: 10, y: 5)),
        ])
        let m = OffenceCSVMapping(
            time: .separate(date: "date", dateFormat: DateTimeFormat("yyyy-MM-dd"), time: "time", timeFormat: "HH:mm"),
            place: .address(column: "address"), type: "type")
        let csv = """
            date,time,address,type
            2025-01-02,22:30,"12, rue Grimaldi",theft
            2025-01-03,,R. GRIMALDI 12,vandalism
            2025-01-04,01:00,"Bd Albert 1er",disorder
            """
        let offences = try OffenceCSVImporter(mapping: m, gazetteer: gazetteer).importOffences(csv)
        #expect(offences.map(\.id) == ["csv-2", "csv-3", "csv-4"])
        #expect(offences[0].location == .local(Point(x: 10, y: 5)))
        #expect(offences[1].location == .local(Point(x: 10, y: 5)))
        #expect(offences[0].time == CivilTime.microseconds(year: 2025, month: 1, day: 2, hour: 22, minute: 30))
        #expect(offences[1].time == CivilTime.microseconds(year: 2025, month: 1, day: 3))
        #expect(offences[2].location == .local(Point(x: 50, y: 30)))  // street level: middle of the street
        #expect(offences[2].address == "Bd Albert 1er")

        let bad = "date,time,address,type\n2025-01-02,22:30,Unknown Street 4,theft\n2025-01-02,25:30,Rue Grimaldi 12,theft\n"
        #expect(throws: OffenceImportError.self) { try OffenceCSVImporter(mapping: m, gazetteer: gazetteer).importOffences(bad) }
        do { _ = try OffenceCSVImporter(mapping: m, gazetteer: gazetteer).importOffences(bad) } catch {
            #expect(error.description == """
                line 2, column "address": "Unknown Street 4" matches no address on the map
                line 3, column "time": "25:30" is not a time of day in the form HH:mm
                """)
        }
    }

    @Test func mappingRoundTripsThroughJSON() throws {
        let data = try JSONEncoder().encode(mapping)
        #expect(try JSONDecoder().decode(OffenceCSVMapping.self, from: data) == mapping)
    }

    @Test func addressNormalisation() {
        #expect(AddressGazetteer.normalise("Bd. Albert-1er") == "boulevard albert 1er")
        #expect(AddressGazetteer.normalise("Hauptstraße") == "hauptstrasse")
        #expect(AddressGazetteer.split("Boulevard Albert 1er").number == nil)
        #expect(AddressGazetteer.split("Boulevard Albert 1er 7b").number == "7b")
    }
}
