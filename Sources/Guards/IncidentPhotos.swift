import Catalog
import Foundation

/// A photo attached to an incident from a guard's phone (or by an operator): the JPEG exactly as
/// received, with its SHA-256, who sent it and when (docs/guards.md, "Photos"). Photos are kept in
/// the catalogue beside the incident, so that every node of a cluster serves them.
public struct IncidentPhoto: Sendable, Codable, Equatable {
    public var id: Int64 = 0
    public var incident: Int64
    public var by: String
    public var atMicros: Int64
    public var bytes: Int
    public var width: Int
    public var height: Int
    public var sha256: String

    public init(incident: Int64, by: String, atMicros: Int64, bytes: Int, width: Int, height: Int, sha256: String) {
        self.incident = incident
        self.by = by
        self.atMicros = atMicros
        self.bytes = bytes
        self.width = width
        self.height = height
        self.sha256 = sha256
    }
}

extension GuardService {
    /// At most this many photos per incident (a report, not an album).
    public static let photosPerIncident = 12

    /// Stores a photo of an incident. With an idempotency key (a phone sending again after a lost
    /// answer) a photo is stored once and the first is answered again.
    public func addPhoto(_ photo: IncidentPhoto, jpeg: Data, key: String?) async throws -> (photo: IncidentPhoto, created: Bool) {
        if let key, let earlier = try await catalog.record(kind: Kind.photo, key: Self.photoKey(photo, key)) {
            return (try Self.photoHeader(earlier), false)
        }
        var body = try Self.encoder.encode(photo)
        body.append(0)
        body.append(jpeg)
        // Counting the photos and then storing one would let concurrent uploads all see 11 and
        // all be stored: the photo's place is taken first, in one transaction on the incident's
        // list of places, under the photo's record key (so a photo sent twice at once takes one).
        let recordKey = Self.photoKey(photo, key ?? "place-\(UUID().uuidString)")
        try await takePhotoPlace(incident: photo.incident, recordKey: recordKey)
        let result = try await catalog.insertRecord(kind: Kind.photo, key: recordKey,
                                                    fields: RecordFields(tag: String(photo.incident), time: photo.atMicros, body: body))
        return (try Self.photoHeader(result.record), result.created)
    }

    /// Takes one of the incident's places for the photo stored under `recordKey`, on the
    /// incident's record of places (made at the first photo, holding photos stored before it
    /// existed); refuses when all are taken by other photos. A place whose photo was never stored
    /// (the process died between the two transactions) is given back once the places have not
    /// changed for two minutes.
    func takePhotoPlace(incident: Int64, recordKey: String) async throws {
        var places = try await catalog.record(kind: Kind.photoPlaces, key: String(incident))
        if places == nil {
            let earlier = try await catalog.records(kind: Kind.photo, tag: String(incident), from: .min, to: .max, limit: 1000).map { $0.key ?? "record-\($0.id)" }
            places = try await catalog.insertRecord(kind: Kind.photoPlaces, key: String(incident), fields: try Self.placesFields(incident, earlier)).record
        }
        guard let id = places?.id else { throw IncidentRefusal(.notFound, "no such incident") }
        let limit = Self.photosPerIncident
        let full = IncidentRefusal(.conflict, "incident \(incident) has \(limit) photos already")
        for attempt in 0..<2 {
            do {
                _ = try await catalog.updateRecord(kind: Kind.photoPlaces, id: id) { record in
                    var taken = try Self.places(record)
                    if taken.contains(recordKey) { return nil }
                    guard taken.count < limit else { throw full }
                    taken.append(recordKey)
                    return try Self.placesFields(incident, taken)
                }
                return
            } catch let refusal as IncidentRefusal where attempt == 0 {
                guard let stale = try await catalog.record(kind: Kind.photoPlaces, id: id), Self.nowMicros() - stale.time > 120_000_000 else { throw refusal }
                var stored: [String] = []
                for key in try Self.places(stale) {
                    // Photos stored before places existed had no key: theirs stay.
                    if key.hasPrefix("record-") {
                        stored.append(key)
                    } else if try await catalog.record(kind: Kind.photo, key: key) != nil {
                        stored.append(key)
                    }
                }
                let kept = stored
                _ = try await catalog.updateRecord(kind: Kind.photoPlaces, id: id) { now in
                    now.revision == stale.revision ? try Self.placesFields(incident, kept) : nil
                }
            }
        }
        throw full
    }

    static func places(_ record: StoredRecord) throws -> [String] { try JSONDecoder().decode([String].self, from: record.body) }

    static func placesFields(_ incident: Int64, _ keys: [String]) throws -> RecordFields {
        RecordFields(tag: String(incident), time: nowMicros(), body: try JSONEncoder().encode(keys))
    }

    /// The incident's photos, oldest first (without their bytes).
    public func photos(incidentID: Int64) async throws -> [IncidentPhoto] {
        try await catalog.records(kind: Kind.photo, tag: String(incidentID), from: .min, to: .max, limit: 1000)
            .map(Self.photoHeader).sorted { ($0.atMicros, $0.id) < ($1.atMicros, $1.id) }
    }

    /// One photo of an incident with its bytes.
    public func photo(incidentID: Int64, id: Int64) async throws -> (photo: IncidentPhoto, jpeg: Data)? {
        guard let record = try await catalog.record(kind: Kind.photo, id: id), record.tag == String(incidentID),
              let split = record.body.firstIndex(of: 0) else { return nil }
        return (try Self.photoHeader(record), Data(record.body[record.body.index(after: split)...]))
    }

    static func photoKey(_ photo: IncidentPhoto, _ key: String) -> String { "\(photo.incident):\(photo.by):\(key)" }

    static func photoHeader(_ record: StoredRecord) throws -> IncidentPhoto {
        let end = record.body.firstIndex(of: 0) ?? record.body.endIndex
        var photo = try JSONDecoder().decode(IncidentPhoto.self, from: record.body[record.body.startIndex..<end])
        photo.id = record.id
        return photo
    }
}
