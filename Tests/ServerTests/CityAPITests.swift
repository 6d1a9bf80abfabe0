import Catalog
import City
import CityServices
import Foundation
import Hummingbird
import HummingbirdTesting
import Planning
import Testing

@testable import App
@testable import Server

@Suite struct CityAPITests {
    @Test func withoutACityTheRoutesSayHowToImportOne() async throws {
        let server = try await cityServer()
        try await Application(router: server.makeRouter()).test(.router) { client in
            for path in ["/api/city", "/api/city/geometry", "/api/coverage", "/api/hotspots"] {
                let r = try await client.json(.get, path)
                #expect(r.status == .notFound, "\(path)")
                #expect(r.headers[.contentType] == "application/problem+json")
                #expect((r.json["detail"] as? String ?? "").contains("aula import osm"))
            }
        }
    }

    /// A data folder of an earlier version keeps its city and register in `city/*.json`: they move
    /// into the catalogue at the first start, and the files go.
    @Test func theCityFilesOfAnEarlierVersionMoveIntoTheCatalogue() async throws {
        let source = temporaryDirectory()
        let stored = try await CityImport.importCity(file: try CityFixture.write(CityFixture.geojson), name: "Oldtown", dataDirectory: source)
        let data = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: data + "/city", withIntermediateDirectories: true)
        try JSONEncoder().encode(stored).write(to: URL(fileURLWithPath: data + "/city/city.json"))
        try Data("# Last plan".utf8).write(to: URL(fileURLWithPath: data + "/city/last-plan.md"))
        // Something that is not a readable file where the register was: not imported, and kept.
        try FileManager.default.createDirectory(atPath: data + "/city/offences.json", withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: data + "/city/offences.json/note.txt"))
        let server = try await cityServer(data: data)
        #expect(!FileManager.default.fileExists(atPath: data + "/city/city.json"))
        #expect(!FileManager.default.fileExists(atPath: data + "/city/last-plan.md"))
        #expect(FileManager.default.contents(atPath: data + "/city/offences.json/note.txt") == Data("keep me".utf8), "what could not be moved is not deleted")
        try await Application(router: server.makeRouter()).test(.router) { client in
            let city = try await client.json(.get, "/api/city")
            #expect(city.status == .ok)
            #expect(city.json["name"] as? String == "Oldtown")
        }
        #expect(try await CityStore(server.catalog).loadReport() == "# Last plan")
        await server.recorder.stopAll()
    }

    @Test func badImportStoresNothingAndNamesTheFeature() async throws {
        let data = temporaryDirectory()
        let file = try CityFixture.write(CityFixture.broken)
        await #expect {
            try await CityImport.importCity(file: file, name: "Broken", dataDirectory: data)
        } throws: { error in
            "\(error)".contains("feature 7 (id yard-1): polygon ring 0 is not closed") && "\(error)".contains("nothing was imported")
        }
        #expect(!FileManager.default.fileExists(atPath: data + "/city/city.json"))
        #expect(try await CityStore(dataDirectory: data).loadCity() == nil)
        // A good city first, then a bad one: the good one stays, untouched (same revision).
        try await CityImport.importCity(file: try CityFixture.write(CityFixture.geojson), name: "Good", dataDirectory: data)
        let revision = try await CityStore(dataDirectory: data).cityRevision()
        await #expect(throws: CityCommandError.self) { try await CityImport.importCity(file: file, name: "Broken", dataDirectory: data) }
        #expect(try await CityStore(dataDirectory: data).loadCity()?.name == "Good")
        #expect(try await CityStore(dataDirectory: data).cityRevision() == revision)
    }

    @Test func summaryGeometryAndCoverageOfAHandMadeCity() async throws {
        let data = temporaryDirectory()
        try await CityImport.importCity(file: try CityFixture.write(CityFixture.geojson), name: "Testville", dataDirectory: data)
        let server = try await cityServer(data: data)
        // On the street at 7.4202, looking east along it (90°), 60° wide, 100 m.
        let cam = try await server.catalog.insert(testCamera("East", lat: 43.7300, lon: 7.4202, heading: 90, fov: 60, range: 100))
        try await Application(router: server.makeRouter()).test(.router) { client in
            let city = try await client.json(.get, "/api/city")
            #expect(city.status == .ok)
            #expect(city.json["name"] as? String == "Testville")
            let counts = try #require(city.json["counts"] as? [String: Any])
            #expect(counts["buildings"] as? Int == 4)
            #expect(counts["mainStreets"] as? Int == 1)
            #expect(counts["streets"] as? Int == 2)
            #expect(counts["schoolGrounds"] as? Int == 1)
            #expect(counts["streetLights"] as? Int == 1)
            #expect((counts["courtyards"] as? Int ?? 0) >= 1)
            #expect((city.json["districts"] as? [[String: Any]])?.first?["name"] as? String == "Nord")
            let bbox = try #require(city.json["bbox"] as? [Double])
            #expect(abs(bbox[0] - 7.4200) < 1e-6 && abs(bbox[2] - 7.4220) < 1e-6)

            let geometry = try await client.json(.get, "/api/city/geometry")
            #expect(geometry.json["type"] as? String == "FeatureCollection")
            let features = try #require(geometry.json["features"] as? [[String: Any]])
            let kinds = features.compactMap { ($0["properties"] as? [String: Any])?["kind"] as? String }
            #expect(Set(kinds) == ["district", "courtyard", "schoolGround", "building", "street", "lamp"])
            // Coordinates come back in WGS84, as imported.
            let street = try #require(features.first { ($0["properties"] as? [String: Any])?["isMain"] as? Bool == true })
            let line = try #require((street["geometry"] as? [String: Any])?["coordinates"] as? [[Double]])
            #expect(abs(line[0][0] - 7.42) < 1e-7 && abs(line[0][1] - 43.73) < 1e-7)

            // Coverage equals the engine's on the stored city with the same camera.
            let stored = try #require(try await CityStore(dataDirectory: data).loadCity())
            var engine = CoverageEngine(city: stored.model)
            try engine.setCameras([cam.viewSpec])
            let expected = engine.report()
            let coverage = try await client.json(.get, "/api/coverage")
            #expect(coverage.status == .ok)
            let main = try #require(coverage.json.double("city.mainStreets.percent"))
            #expect(abs(main - expected.city.mainStreets.coveredPercent) < 0.01)
            #expect(main > 50 && main < 100)  // sees the street east of 7.4202, not the 16 m west of it
            #expect(abs(coverage.json.double("city.mainStreets.total")! - expected.city.mainStreets.total) < 0.01)
            #expect(coverage.json["cameras"] as? Int == 1)

            let views = try await client.json(.get, "/api/coverage/cameras")
            let view = try #require((views.json["features"] as? [[String: Any]])?.first)
            #expect((view["properties"] as? [String: Any])?["name"] as? String == "East")
            #expect(((view["properties"] as? [String: Any])?["visibleArea"] as? Double ?? 0) > 100)

            let streets = try await client.json(.get, "/api/coverage/streets")
            let pieces = try #require(streets.json["features"] as? [[String: Any]])
            let mainPiece = try #require(pieces.first { ($0["properties"] as? [String: Any])?["isMain"] as? Bool == true })
            #expect(((mainPiece["properties"] as? [String: Any])?["covered"] as? [Any])?.isEmpty == false)

            // The reverse question: in front of the camera yes, behind it no.
            let front = try await client.json(.get, "/api/coverage/at?lat=43.73&lon=7.4210")
            #expect((front.json["cameras"] as? [[String: Any]])?.map { $0["id"] as? String } == ["\(cam.id)"])
            #expect(front.json["district"] as? String == "Nord")
            let behind = try await client.json(.get, "/api/coverage/at?lat=43.73&lon=7.4201")
            #expect((behind.json["cameras"] as? [Any])?.isEmpty == true)
            let badPoint = try await client.json(.get, "/api/coverage/at?lat=95&lon=x")
            #expect(badPoint.status == .unprocessableContent)
            #expect(fields(badPoint.json) == ["lat", "lon"])
        }
        await server.recorder.stopAll()
    }

    @Test func previewChangesFiguresButSavesNothing() async throws {
        let data = temporaryDirectory()
        try await CityImport.importCity(file: try CityFixture.write(CityFixture.geojson), name: "Testville", dataDirectory: data)
        let server = try await cityServer(data: data)
        let cam = try await server.catalog.insert(testCamera("East", lat: 43.7300, lon: 7.4202, heading: 90, fov: 60, range: 100))
        try await Application(router: server.makeRouter()).test(.router) { client in
            let before = try await client.json(.get, "/api/coverage")
            let saved = try #require(before.json.double("city.mainStreets.percent"))
            // Turn it to face north, away from the main street.
            let turned = try await client.json(.post, "/api/coverage/preview", #"{"cameraId": \#(cam.id), "heading": 0}"#)
            #expect(turned.status == .ok)
            #expect(turned.json["saved"] as? Bool == false)
            let previewed = try #require(turned.json.double("city.mainStreets.percent"))
            #expect(previewed < saved)
            #expect(((turned.json["camera"] as? [String: Any])?["properties"] as? [String: Any])?["heading"] as? Int == 0)
            #expect(((turned.json["streets"] as? [String: Any])?["features"] as? [Any])?.isEmpty == false)

            // The same preview computed directly.
            let stored = try #require(try await CityStore(dataDirectory: data).loadCity())
            var engine = CoverageEngine(city: stored.model)
            var spec = cam.viewSpec
            spec.heading = 0
            try engine.setCameras([spec])
            #expect(abs(previewed - engine.report().city.mainStreets.coveredPercent) < 0.01)

            // Moving it: a second preview of the same camera replaces the first.
            let moved = try await client.json(.post, "/api/coverage/preview",
                                              #"{"cameraId": "\#(cam.id)", "location": {"lat": 43.7300, "lon": 7.4221}, "heading": 270, "range": 200}"#)
            #expect(moved.status == .ok)
            #expect((moved.json.double("city.mainStreets.percent") ?? 0) > 90)

            // Nothing was saved: the registry and the saved figures are unchanged.
            let after = try await client.json(.get, "/api/coverage")
            #expect(after.json.double("city.mainStreets.percent") == saved)
            let record = try #require(try await server.catalog.camera(id: cam.id))
            #expect(record.heading == 90 && record.longitude == 7.4202)

            // A hypothetical new camera, and bad requests naming their fields.
            let new = try await client.json(.post, "/api/coverage/preview", #"{"location": {"lat": 43.7305, "lon": 7.4210}, "fieldOfView": 360, "range": 20}"#)
            #expect(new.status == .ok)
            #expect((new.json.double("city.courtyards.percent") ?? 0) > 0)
            let bad = try await client.json(.post, "/api/coverage/preview", #"{"cameraId": \#(cam.id), "heading": 400, "fov": 30}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(fields(bad.json) == ["fov"])
            let bad2 = try await client.json(.post, "/api/coverage/preview", #"{"cameraId": \#(cam.id), "heading": 400, "range": -1}"#)
            #expect(fields(bad2.json) == ["heading", "range"])
            let missing = try await client.json(.post, "/api/coverage/preview", #"{"cameraId": 999}"#)
            #expect(missing.status == .notFound)
        }
        await server.recorder.stopAll()
    }

    @Test func offencesAreValidatedAndFiltered() async throws {
        let data = temporaryDirectory()
        try await CityImport.importCity(file: try CityFixture.write(CityFixture.geojson), name: "Testville", dataDirectory: data)
        let server = try await cityServer(data: data)
        try await Application(router: server.makeRouter()).test(.router) { client in
            let ok = try await client.json(.post, "/api/offences", """
                {"id": "P-1", "time": "2025-03-04T21:15:00Z", "location": {"lat": 43.7301, "lon": 7.4210}, "type": "theft",
                 "status": "solved", "footageLinks": ["/api/exports/1"], "address": "Rue Test 3"}
                """)
            #expect(ok.status == .created)
            #expect(ok.json["time"] as? String == "2025-03-04T21:15:00Z")
            #expect(ok.json["synthetic"] as? Bool == false)
            _ = try await client.json(.post, "/api/offences", #"{"time": "2025-05-01T10:00:00+02:00", "location": {"lat": 43.7302, "lon": 7.4211}, "type": "assault"}"#)
            let duplicate = try await client.json(.post, "/api/offences", #"{"id": "P-1", "time": "2025-03-04T21:15:00Z", "location": {"lat": 43.7301, "lon": 7.4210}, "type": "theft"}"#)
            #expect(duplicate.status == .conflict)
            #expect(fields(duplicate.json) == ["id"])
            let bad = try await client.json(.post, "/api/offences", #"{"time": "31.02.2025", "location": {"lat": 91, "lon": 7}, "type": "piracy", "status": "open", "colour": 1}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(fields(bad.json) == ["time", "location.lat", "type", "status", "colour"])
            let missing = try await client.json(.post, "/api/offences", "{}")
            #expect(fields(missing.json) == ["time", "location", "type"])

            let all = try await client.json(.get, "/api/offences")
            #expect(all.json["count"] as? Int == 2)
            let thefts = try await client.json(.get, "/api/offences?types=theft")
            #expect((thefts.json["offences"] as? [[String: Any]])?.map { $0["id"] as? String } == ["P-1"])
            let april = try await client.json(.get, "/api/offences?from=2025-04&to=2025-06-01")
            #expect(april.json["count"] as? Int == 1)
            let badFilter = try await client.json(.get, "/api/offences?from=yesterday&types=piracy")
            #expect(fields(badFilter.json) == ["from", "types"])
        }
        // Stored in the data folder, so a restarted server sees them.
        #expect(try await CityStore(dataDirectory: data).loadOffences().offences.count == 2)
    }

    @Test func csvImportIsAllOrNothingWithLineNumbers() async throws {
        let data = temporaryDirectory()
        let mapping = try CityFixture.write("""
            {"delimiter": ";", "id": "Ref", "time": {"single": {"column": "Date", "format": {"pattern": "dd.MM.yyyy HH:mm", "utcOffsetMinutes": 0}}},
             "place": {"coordinates": {"latitude": "Lat", "longitude": "Lon"}}, "type": "Offence", "typeValues": {"vol": "theft"}}
            """, name: "mapping.json")
        let good = try CityFixture.write("Ref;Date;Lat;Lon;Offence\nA1;04.03.2025 21:15;43,7301;7,4210;Vol\nA2;05.03.2025 08:00;43.7302;7.4211;assault\n", name: "good.csv")
        let bad = try CityFixture.write("Ref;Date;Lat;Lon;Offence\nB1;31.02.2025 10:00;43.7301;7.4210;Vol\nB2;05.03.2025 08:00;93.7;7.4211;assault\n", name: "bad.csv")
        await #expect {
            try await CityImport.importOffences(csvFile: bad, mappingFile: mapping, dataDirectory: data)
        } throws: { error in
            let text = "\(error)"
            return text.contains("line 2, column \"Date\"") && text.contains("line 3, column \"Lat\"")
        }
        #expect(try await CityStore(dataDirectory: data).loadOffences().offences.isEmpty)
        let result = try await CityImport.importOffences(csvFile: good, mappingFile: mapping, dataDirectory: data)
        #expect(result.added == 2 && result.total == 2)
        // The same ids again are refused (all or nothing), unless the register is replaced.
        await #expect(throws: CityCommandError.self) { try await CityImport.importOffences(csvFile: good, mappingFile: mapping, dataDirectory: data) }
        #expect(try await CityImport.importOffences(csvFile: good, mappingFile: mapping, dataDirectory: data, replace: true).total == 2)
        let offences = try await CityStore(dataDirectory: data).loadOffences().offences
        #expect(offences.map(\.type) == ["theft", "assault"])
    }

    @Test func webUIIsServedBesideTheAPI() async throws {
        let server = try await cityServer()
        try await Application(router: server.makeRouter()).test(.router) { client in
            let page = try await client.execute(uri: "/map.html", method: .get) { $0 }
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("OpenStreetMap"))
            let strings = try await client.json(.get, "/i18n/en.json")
            #expect(strings.json["tab.coverage"] as? String == "Coverage")
            let script = try await client.execute(uri: "/js/map.js", method: .get) { $0 }
            #expect(script.status == .ok)
            #expect(script.headers[.contentType]?.contains("javascript") == true)
            // The map's tabs are modules in a subfolder (js/map/); the site-wide stylesheet is site.css.
            let tab = try await client.execute(uri: "/js/map/coverage.js", method: .get) { $0 }
            #expect(tab.status == .ok && tab.headers[.contentType]?.contains("javascript") == true)
            for sheet in ["/site.css", "/map.css"] {
                let css = try await client.execute(uri: sheet, method: .get) { $0 }
                #expect(css.status == .ok && css.headers[.contentType]?.contains("text/css") == true, "\(sheet)")
            }
            // Unknown API routes are still problem details, not files.
            let missing = try await client.json(.get, "/api/nothing")
            #expect(missing.headers[.contentType] == "application/problem+json")
        }
    }
}
