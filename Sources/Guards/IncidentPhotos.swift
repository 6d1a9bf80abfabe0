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
        guard try await photos(incidentID: photo.incident).count < Self.photosPerIncident else {
            throw IncidentRefusal(.conflict, "incident \(photo.incident) has \(Self.photosPerIncident) photos already")
        }
        var body = try Self.encoder.encode(photo)
        body.append(0)
        body.append(jpeg)
        let result = try await catalog.insertRecord(kind: Kind.photo, key: key.map { Self.photoKey(photo, $0) },
                                                    fields: RecordFields(tag: String(photo.incident), time: photo.atMicros, body: body))
        return (try Self.photoHeader(result.record), result.created)
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
