import Catalog
import City
import CityServices
import Foundation
import Planning

/// The state behind the city routes: the imported city (reloaded when `aula import` replaces it),
/// a ``CoverageEngine`` kept in step with the camera registry, a copy of it for previews, and the
/// offence register.
///
/// The engine is synchronised on every coverage request: the registry is read (one SQLite query)
/// and only cameras whose spec changed are recomputed (`upsertCamera`), or everything at once when
/// many changed. Previews mutate a separate copy, so they never touch saved figures.
actor CityService {
    let store: CityStore
    let cameraStore: any CameraStore

    private var city: CityStore.StoredCity?
    private var cityRevision: Int64?
    private var cityLoaded = false
    private var geometry: Data?
    private var engine: CoverageEngine?
    private var preview: CoverageEngine?
    private var previewed: Set<String> = []
    private(set) var cameraNames: [String: String] = [:]
    private var register: CityStore.StoredOffences?
    private var registerRevision: Int64?
    /// Duration of the last synchronisation that changed something (for the figures in the docs).
    private(set) var lastSyncSeconds: Double = 0

    init(store: CityStore, cameras: any CameraStore) {
        self.store = store
        cameraStore = cameras
    }

    static let noCity = ProblemDetails(
        status: .notFound, type: "/docs/city-api.md#no-city", title: "No city imported",
        detail: "no city is imported yet: run `aula import osm FILE --city NAME` (see docs/city-api.md)")

    /// The imported city; 404 problem details when there is none.
    func currentCity() async throws -> CityStore.StoredCity {
        let revision = try await store.cityRevision()
        if !cityLoaded || revision != cityRevision {
            city = try await store.loadCity()
            cityRevision = revision
            cityLoaded = true
            geometry = nil
            engine = nil
            preview = nil
            previewed = []
        }
        guard let city else { throw Self.noCity }
        return city
    }

    func cachedGeometry() -> Data? { geometry }
    func setGeometry(_ data: Data) { geometry = data }

    /// The engine with every registered camera, up to date.
    func engineWithCameras() async throws -> CoverageEngine {
        _ = try await currentCity()
        let cameras = try await cameraStore.cameras()
        return try synchronise(cameras)
    }

    /// The engine as `user` may see it: the cameras they have no grant for are taken out, so that
    /// coverage, "which cameras see this point" and plans reveal nothing of those cameras (issue 15).
    func engine(for user: User) async throws -> (engine: CoverageEngine, names: [String: String]) {
        _ = try await currentCity()
        let cameras = try await cameraStore.cameras()
        var engine = try synchronise(cameras)
        var names = cameraNames
        for c in cameras where !user.may(.metadata, c) {
            _ = engine.removeCamera(String(c.id))
            names.removeValue(forKey: String(c.id))
        }
        return (engine, names)
    }

    /// Ids (as the engine spells them) of the cameras `user` may not see.
    func hiddenCameras(for user: User) async throws -> Set<String> {
        Set(try await cameraStore.cameras().filter { !user.may(.metadata, $0) }.map { String($0.id) })
    }

    static func spec(_ c: Camera) -> CameraViewSpec { c.viewSpec }

    /// Callers load the city first (``currentCity()``); this stays synchronous, so nothing runs on
    /// the actor between reading the city and updating the engine.
    private func synchronise(_ cameras: [Camera]) throws -> CoverageEngine {
        guard let city else { throw Self.noCity }
        let clock = ContinuousClock()
        let start = clock.now
        var engine = self.engine ?? CoverageEngine(city: city.model)
        var wanted: [String: CameraViewSpec] = [:]
        for c in cameras {
            let s = Self.spec(c)
            if (try? s.validate()) != nil { wanted[s.id] = s }
        }
        cameraNames = Dictionary(cameras.map { (String($0.id), $0.name) }, uniquingKeysWith: { $1 })
        let gone = engine.cameraIDs.filter { wanted[$0] == nil }
        let changed = wanted.values.filter { engine.camera($0.id) != $0 }
        var touched = self.engine == nil
        if gone.count + changed.count > 32 {
            try? engine.setCameras(wanted.values.sorted { $0.id < $1.id })
            touched = true
        } else {
            for id in gone { engine.removeCamera(id); touched = true }
            for s in changed { try? engine.upsertCamera(s); touched = true }
        }
        if touched {
            self.engine = engine
            preview = engine
            previewed = []
            lastSyncSeconds = (clock.now - start).seconds
        }
        return engine
    }

    struct Preview: Sendable {
        var engine: CoverageEngine
        var view: VisibilityPolygon?
        /// Boxes of the camera's saved view (if any) and of the previewed one.
        var touched: [BoundingBox]
        var seconds: Double
    }

    /// Applies `spec` to the preview copy (undoing earlier previews of other cameras first) and
    /// returns that copy; the saved engine and the registry are left alone.
    func preview(_ spec: CameraViewSpec) async throws -> Preview {
        _ = try await currentCity()
        let cameras = try await cameraStore.cameras()
        let saved = try synchronise(cameras)
        let clock = ContinuousClock()
        let start = clock.now
        var copy = preview ?? saved
        for id in previewed where id != spec.id {
            if let s = saved.camera(id) { try? copy.upsertCamera(s) } else { copy.removeCamera(id) }
        }
        var touched: [BoundingBox] = []
        if let old = copy.visibility(of: spec.id), !old.polygon.isEmpty { touched.append(old.polygon.boundingBox) }
        do { try copy.upsertCamera(spec) } catch {
            throw ProblemDetails.validation([FieldError(field: error.field, message: error.reason)])
        }
        let view = copy.visibility(of: spec.id)
        if let view, !view.polygon.isEmpty { touched.append(view.polygon.boundingBox) }
        preview = copy
        previewed = [spec.id]
        return Preview(engine: copy, view: view, touched: touched, seconds: (clock.now - start).seconds)
    }

    // MARK: Offences

    func offences() async throws -> CityStore.StoredOffences {
        let revision = try await store.offencesRevision()
        if register == nil || revision != registerRevision {
            register = try await store.loadOffences()
            registerRevision = revision
        }
        return register ?? CityStore.StoredOffences()
    }

    /// Adds one record; its id must be new (checked in the transaction that adds it).
    func add(_ offence: Offence) async throws {
        let saved = try await store.updateOffences { current in
            guard !current.offences.contains(where: { $0.id == offence.id }) else {
                throw ProblemDetails(status: .conflict, type: "/docs/city-api.md#offences", title: "Duplicate offence",
                                     detail: "an offence with id \(offence.id) is already registered",
                                     errors: [FieldError(field: "id", message: "is already registered")])
            }
            current.offences.append(offence)
        }
        register = saved.register
        registerRevision = saved.revision
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Camera {
    /// What the coverage engine needs of a registered camera; the id is the catalogue id as text.
    public var viewSpec: CameraViewSpec {
        CameraViewSpec(id: String(id), position: .geo(GeoCoordinate(latitude: latitude, longitude: longitude)),
                       heading: heading, fieldOfView: fieldOfView, range: range, mountingHeight: mountingHeight)
    }
}
