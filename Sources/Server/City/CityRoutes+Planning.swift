import APIInput
import Catalog
import City
import CityServices
import Foundation
import Hummingbird
import Planning

extension CityRoutes {
    /// The most grid cells one hot-spot answer computes (memory and time stay bounded on any city).
    static var maximumHotspotCells: Double { 1_000_000 }

    /// Kernel density and Getis-Ord Gi* on a grid for a period and types.
    func hotspots(_ request: Request, context: Context) async throws -> Response {
        let filter = try Self.filter(request)
        var errors: [FieldError] = []
        func number(_ key: String, _ range: ClosedRange<Double>, _ fallback: Double) -> Double {
            guard let text = request.uri.queryParameters.get(key), !text.isEmpty else { return fallback }
            guard let v = Double(text), range.contains(v) else {
                errors.append(FieldError(field: key, message: "must be a number of metres from \(Int(range.lowerBound)) to \(Int(range.upperBound))"))
                return fallback
            }
            return v
        }
        let cell = number("cell", 10...500, 50), bandwidth = number("bandwidth", 10...2000, 150)
        guard errors.isEmpty else { throw ProblemDetails.validation(errors) }
        let city = try await service.currentCity().model
        let extent = city.extent.grown(by: bandwidth)
        let cells = ((extent.maxX - extent.minX) / cell).rounded(.up) * ((extent.maxY - extent.minY) / cell).rounded(.up)
        guard cells <= Self.maximumHotspotCells else {
            let smallest = ((extent.maxX - extent.minX) * (extent.maxY - extent.minY) / Self.maximumHotspotCells).squareRoot().rounded(.up)
            throw ProblemDetails.validation([FieldError(field: "cell", message: "this city needs cells of at least \(Int(smallest)) metres (at most \(Int(Self.maximumHotspotCells)) cells)")])
        }
        let register = try await service.offences()
        let offences = register.offences, projection = city.projection
        let result = try await heavy.run("the hot spots") {
            Hotspots.grid(offences, filter: filter, projection: projection, options: HotspotOptions(cellSize: cell, bandwidth: bandwidth), extent: extent)
        }
        return Self.data(try CityJSON.encode(Self.hotspotJSON(result, projection: city.projection, cellSize: cell, bandwidth: bandwidth,
                                                               synthetic: register.offences.filtered(filter).contains(where: \.synthetic))))
    }

    /// The city-wide answer: only the significant cells (Gi* hot or cold at 90 % or more), drawn as
    /// rectangles of one class (`features`), with each cell's figures in parallel arrays (`cells`);
    /// `grid` places cell `i` (column `i % columns`, row `i / columns`) in WGS84. Kept under 1 MB and
    /// 500 ms on the largest shared extract (docs/performance.md, "Hot spots at city scale").
    static func hotspotJSON(_ result: GridHotspots, projection: LocalProjection, cellSize: Double, bandwidth: Double,
                            synthetic: Bool) -> GeoValue {
        let w = GeoJSONWriter(projection: projection)
        let map = HotspotMap(result)
        let features: [GeoValue] = map.rectangles.map { r in
            w.feature("Polygon", .array([w.line(result.grid.ring(r) + [result.grid.ring(r)[0]])]), [
                "class": .number(Double(r.classification.rawValue)), "cells": .number(Double(r.columns * r.rows)),
            ])
        }
        let density = result.density.values
        let perKm2 = 1_000_000.0
        let stats = result.giStar
        let sw = projection.unproject(result.grid.origin)
        let ne = projection.unproject(Point(x: result.grid.origin.x + result.grid.cellSize, y: result.grid.origin.y + result.grid.cellSize))
        let cells: GeoValue = [
            "index": .array(map.cells.map { .number(Double($0)) }),
            "count": .array(map.cells.map { .number(result.counts[$0]) }),
            "z": .array(map.cells.map { .num(stats[$0].z, 1e6) }),
            "p": .array(map.cells.map { .num(stats[$0].p, 1e6) }),
            "class": .array(map.cells.map { .number(Double(stats[$0].classification.rawValue)) }),
            "density": .array(map.cells.map { .num(density[$0] * perKm2, 100) }),
        ]
        var hot = 0, cold = 0
        for i in map.cells { if stats[i].z >= 0 { hot += 1 } else { cold += 1 } }
        return GeoJSONWriter.collection(features, extra: [
            "offenceCount": .number(Double(result.offenceCount)), "cellSize": .number(cellSize), "bandwidth": .number(bandwidth),
            "columns": .number(Double(result.grid.columns)), "rows": .number(Double(result.grid.rows)),
            "grid": ["origin": .array([.number(sw.longitude), .number(sw.latitude)]),
                     "step": .array([.number(ne.longitude - sw.longitude), .number(ne.latitude - sw.latitude)])],
            "cells": cells,
            "maxDensity": .num((density.max() ?? 0) * perKm2, 100), "hotCells": .number(Double(hot)),
            "coldCells": .number(Double(cold)), "synthetic": .bool(synthetic),
        ])
    }

    /// Plans the next cameras for a budget (a number of cameras or money).
    func plan(_ request: Request, context: Context) async throws -> Response {
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["cameras", "budget", "fieldOfView", "range", "headings", "sites", "excludeCovered", "title"])
        let cameras = body.integer("cameras", in: 1...2000)
        let money = body.number("budget")
        if let money, !(money > 0 && money.isFinite) { body.errors.append(FieldError(field: "budget", message: "must be more than 0")) }
        if body.has("cameras") == body.has("budget") {
            body.errors.append(FieldError(field: body.has("cameras") ? "budget" : "cameras", message: "give either cameras (a number of cameras) or budget (money), not both"))
        }
        let fov = body.number("fieldOfView"), range = body.number("range")
        if let fov, !(fov > 0 && fov <= 360) { body.errors.append(FieldError(field: "fieldOfView", message: "must be more than 0 and at most 360 degrees")) }
        if let range, !(range > 0 && range <= 500) { body.errors.append(FieldError(field: "range", message: "must be more than 0 and at most 500 metres")) }
        let headings = body.integer("headings", in: 1...36)
        let sites = body.integer("sites", in: 1...5000)
        let exclude = body.bool("excludeCovered")
        var title: String?
        if case .some(.some(let t)) = body.string("title") { title = t }
        guard body.errors.isEmpty, cameras != nil || money != nil else { throw ProblemDetails.validation(CameraRoutes<Context>.unique(body.errors)) }

        var settings = CityPlanner.Settings(budget: cameras.map { .cameras($0) } ?? .money(money ?? 0))
        if let fov { settings.camera.fieldOfView = fov }
        if let range { settings.camera.range = range }
        if let headings { settings.headings = headings }
        if let sites { settings.maximumSites = sites }
        if let exclude { settings.excludeCovered = exclude }
        if let title { settings.title = title }
        let stored = try await service.currentCity()
        let engine = try await service.engine(for: try Self.user(context)).engine
        let offences = try await service.offences().offences
        let city = stored.model
        let result: CityPlanner.Result
        do {
            let chosen = settings
            result = try await heavy.run("the plan") {
                try CityPlanner.plan(city: city, offences: offences, settings: chosen) { !engine.camerasSeeing($0).isEmpty }
            }
        } catch let error as CityCommandError {
            throw ProblemDetails(status: .unprocessableContent, type: "/docs/city-api.md#plan", title: "No plan", detail: error.message)
        }
        try await service.store.saveReport(result.markdown)
        return try Self.json(Self.planJSON(result, city: city, budget: settings.budget))
    }

    static func planJSON(_ result: CityPlanner.Result, city: CityModel, budget: PlacementBudget) -> GeoValue {
        let w = GeoJSONWriter(projection: city.projection)
        // Views of the proposed cameras over the buildings alone, for the map layer.
        var views = CoverageEngine(city: CityModel(projection: city.projection, buildings: city.buildings))
        let all = result.programme.phases.flatMap(\.cameras)
        try? views.setCameras(all.enumerated().map { $1.viewSpec(id: "plan-\($0 + 1)") })
        func shares(_ s: CoverageShares) -> GeoValue {
            ["weighted": .num(s.weighted, 100), "mainStreet": .num(s.mainStreet, 100), "courtyard": .num(s.courtyard, 100),
             "schoolGround": .num(s.schoolGround, 100)]
        }
        var number = 0
        let phases: [GeoValue] = result.programme.phases.map { phase in
            let cameras: [GeoValue] = phase.cameras.map { c in
                number += 1
                let g = city.projection.unproject(c.position)
                let view = views.visibility(of: "plan-\(number)")
                return [
                    "id": .string("plan-\(number)"), "lat": .num(g.latitude, 1e7), "lon": .num(g.longitude, 1e7),
                    "heading": .num(c.heading, 100), "fieldOfView": .num(c.fieldOfView, 100), "range": .num(c.range, 100),
                    "cost": .num(c.cost, 100), "siteKind": .string(c.siteKind.rawValue), "siteId": .string(c.siteID),
                    "view": view.map { w.polygon($0.polygon) } ?? .null,
                ]
            }
            return ["number": .number(Double(phase.number)), "district": .string(phase.districtName), "cost": .num(phase.cost, 100),
                    "added": shares(phase.added), "cumulative": shares(phase.cumulative), "cameras": .array(cameras)]
        }
        let budgetValue: GeoValue
        switch budget {
        case .cameras(let n): budgetValue = ["cameras": .number(Double(n))]
        case .money(let m): budgetValue = ["money": .number(m)]
        }
        return [
            "budget": budgetValue, "cameraCount": .number(Double(result.programme.cameraCount)),
            "totalCost": .num(result.programme.totalCost, 100), "coveredPercent": .num(result.solution.coveredPercent, 100),
            "final": shares(result.programme.final), "phases": .array(phases), "report": .string(result.markdown),
            "reportUrl": "/api/plan/report", "sites": .number(Double(result.sites)), "candidates": .number(Double(result.candidates)),
            "demandPoints": .number(Double(result.demandPoints)), "alreadyCovered": .number(Double(result.alreadyCovered)),
            "seconds": .num(result.seconds, 1000),
        ]
    }

    func planReport(_ request: Request, context: Context) async throws -> Response {
        guard let text = try await service.store.loadReport() else {
            throw ProblemDetails.notFound("no plan has been made yet: POST /api/plan or run `aula plan`")
        }
        return Self.data(Data(text.utf8), contentType: "text/plain; charset=utf-8")
    }

    /// Evaluates a pilot: RES with its 95 % interval, difference in differences, WDQ, monthly series.
    func evaluation(_ request: Request, context: Context) async throws -> Response {
        var body = try await JSONBody.read(request)
        body.rejectUnknown(["scenario", "pilot", "start", "controls", "suggestControls", "beforeMonths", "afterMonths", "bufferWidth", "types"])
        let stored = try await service.currentCity()
        let register = try await service.offences()
        let projection = stored.model.projection
        let w = GeoJSONWriter(projection: projection)
        let useScenario = body.bool("scenario") ?? false
        func area(_ value: JSONValue?, field: String, defaultName: String) -> StudyArea? {
            guard case .object(let o)? = value else {
                body.errors.append(FieldError(field: field, message: value == nil ? "is required" : "must be an object with name and ring"))
                return nil
            }
            var name = defaultName
            if case .string(let n)? = o["name"] { name = n }
            guard let ring = body.ring(o["ring"], field: "\(field).ring") else { return nil }
            return StudyArea(name: name, area: Polygon(ring: w.ring(ring)))
        }
        var pilot: StudyArea?
        var start: Int64?
        var controls: [StudyArea] = []
        if useScenario {
            guard let s = register.scenario else {
                throw ProblemDetails(status: .notFound, type: "/docs/city-api.md#evaluation", title: "No demo scenario",
                                     detail: "no synthetic demo data: run `aula import offences --synthetic`",
                                     errors: [FieldError(field: "scenario", message: "no synthetic scenario is stored")])
            }
            pilot = s.pilot
            start = s.pilotStart
            controls = s.controls
        }
        if body.has("pilot") || !useScenario { pilot = area(body.object["pilot"], field: "pilot", defaultName: "Pilot") ?? pilot }
        if case .some(.some(let text)) = body.string("start") {
            start = RequestTime.parse(text)
            if start == nil { body.errors.append(FieldError(field: "start", message: "must be a date (2025-01-01) or an RFC 3339 time")) }
        } else if !useScenario && !body.has("start") {
            body.errors.append(FieldError(field: "start", message: "is required"))
        }
        if let value = body.object["controls"] {
            controls = []
            if case .array(let items) = value {
                for (i, item) in items.enumerated() {
                    if let a = area(item, field: "controls[\(i)]", defaultName: "Control \(i + 1)") { controls.append(a) }
                }
            } else {
                body.errors.append(FieldError(field: "controls", message: "must be an array of areas"))
            }
        }
        let suggest = body.integer("suggestControls", in: 1...10)
        let before = body.integer("beforeMonths", in: 1...120) ?? 12
        let after = body.integer("afterMonths", in: 1...120) ?? 12
        let buffer = body.number("bufferWidth") ?? 100
        if !(buffer >= 0 && buffer <= 2000) { body.errors.append(FieldError(field: "bufferWidth", message: "must be from 0 to 2000 metres")) }
        var types: Set<String>?
        if let list = body.strings("types") {
            let unknown = list.filter { !OffenceTypeList.standard.contains($0) }
            if !unknown.isEmpty { body.errors.append(FieldError(field: "types", message: "unknown type \(unknown.joined(separator: ", "))")) }
            types = Set(list)
        }
        guard body.errors.isEmpty, let pilot, let start else { throw ProblemDetails.validation(CameraRoutes<Context>.unique(body.errors)) }
        var study = PilotStudy(pilot: pilot, start: start, controls: controls, beforeMonths: before, afterMonths: after,
                               bufferWidth: buffer, types: types)
        var suggested = false
        let offences = register.offences
        if study.controls.isEmpty || suggest != nil {
            let asked = study
            study.controls = try await heavy.run("the evaluation") {
                PilotEvaluation.suggestControls(offences, projection: projection, study: asked, count: suggest ?? 2)
            }
            suggested = true
        }
        guard !study.controls.isEmpty else {
            throw ProblemDetails.validation([FieldError(field: "controls", message: "no control area could be suggested; draw one")])
        }
        let final = study
        let e = try await heavy.run("the evaluation") { PilotEvaluation.evaluate(offences, projection: projection, study: final) }
        func counts(_ c: AreaCounts) -> GeoValue { ["name": .string(c.name), "before": .number(Double(c.before)), "after": .number(Double(c.after))] }
        var value: [String: GeoValue] = [
            "pilot": ["name": .string(e.pilot.name), "before": .number(Double(e.pilot.before)), "after": .number(Double(e.pilot.after)),
                      "ring": Self.areaJSON(pilot, writer: w)["ring"]],
            "controls": .array(zip(e.controls, study.controls).map { c, a in
                ["name": .string(c.name), "before": .number(Double(c.before)), "after": .number(Double(c.after)), "ring": Self.areaJSON(a, writer: w)["ring"]]
            }),
            "controlsSuggested": .bool(suggested),
            "controlTotal": counts(e.controlTotal),
            "start": .string(CivilTime.iso8601(CivilTime.startOfMonth(study.startMonth))),
            "beforeMonths": .number(Double(before)), "afterMonths": .number(Double(after)), "bufferWidth": .number(buffer),
            "relativeEffectSize": e.relativeEffectSize.map { r in
                ["value": .num(r.value, 1e6), "lower95": .num(r.lower95, 1e6), "upper95": .num(r.upper95, 1e6),
                 "reductionPercent": .num(r.reductionPercent, 100), "significant": .bool(r.isSignificant)]
            } ?? .null,
            "differenceInDifferences": e.differenceInDifferences.map { d in
                ["estimate": .num(d.estimate, 1e6), "standardError": .num(d.standardError, 1e6),
                 "robustStandardError": .num(d.robustStandardError, 1e6), "tStatistic": .num(d.tStatistic, 1000),
                 "observations": .number(Double(d.observations))]
            } ?? .null,
            "displacement": ["buffer": counts(e.displacement.buffer), "successMeasure": e.displacement.successMeasure.map { .num($0, 1e6) } ?? .null,
                             "bufferMeasure": e.displacement.bufferMeasure.map { .num($0, 1e6) } ?? .null,
                             "wdq": e.displacement.wdq.map { .num($0, 1e6) } ?? .null,
                             "interpretation": .string(e.displacement.interpretation)],
            "series": ["labels": .array(e.series.labels.map(GeoValue.string)), "pilot": .array(e.series.pilot.map { .number(Double($0)) }),
                       "controls": .array(e.series.controls.map { .number(Double($0)) }), "buffer": .array(e.series.buffer.map { .number(Double($0)) }),
                       "startIndex": .number(Double(e.series.startIndex))],
            "synthetic": .bool(register.offences.contains(where: \.synthetic)),
        ]
        if let s = register.scenario, register.offences.contains(where: \.synthetic) { value["label"] = .string(s.label) }
        return try Self.json(.object(value))
    }
}
