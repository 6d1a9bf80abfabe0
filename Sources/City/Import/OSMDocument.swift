/// The elements of an OSM XML file, read but not yet interpreted.
struct OSMDocument {
    struct Way {
        var id: Int64
        var refs: [Int64]
        var tags: [String: String]
        var line: Int
    }

    struct Member {
        var type: String
        var ref: Int64
        var role: String
    }

    struct Relation {
        var id: Int64
        var members: [Member]
        var tags: [String: String]
    }

    var nodes: [Int64: GeoCoordinate] = [:]
    /// Tags of the nodes that have any; most nodes are bare way vertices.
    var nodeTags: [Int64: [String: String]] = [:]
    var ways: [Way] = []
    var relations: [Relation] = []

    /// Reads the whole document; throws on the first structural problem, naming its line or element.
    static func parse(_ bytes: [UInt8]) throws -> OSMDocument {
        var scanner = XMLScanner(bytes)
        var doc = OSMDocument()
        guard let root = try scanner.next() else {
            throw ImportError(element: "line 1", reason: "no XML element in the file: not OSM XML or PBF")
        }
        guard root.name == "osm", !root.isEnd else {
            throw ImportError(element: "line \(root.line)", reason: "not an OSM XML document (root element <\(root.name)>)")
        }
        if root.selfClosing { return doc }

        // The element being filled (node, way or relation) while its children arrive.
        var currentKind: String?
        var currentID: Int64 = 0
        var currentLine = 0
        var currentSkip = false
        var lat = 0.0, lon = 0.0
        var tags: [String: String] = [:]
        var refs: [Int64] = []
        var members: [Member] = []

        func finish(_ doc: inout OSMDocument) {
            defer { currentKind = nil }
            guard !currentSkip, let kind = currentKind else { return }
            switch kind {
            case "node":
                doc.nodes[currentID] = GeoCoordinate(latitude: lat, longitude: lon)
                if !tags.isEmpty { doc.nodeTags[currentID] = tags }
            case "way": doc.ways.append(Way(id: currentID, refs: refs, tags: tags, line: currentLine))
            default: doc.relations.append(Relation(id: currentID, members: members, tags: tags))
            }
        }

        while let tag = try scanner.next() {
            let name = tag.name
            if tag.isEnd {
                if name == currentKind { finish(&doc) }
                continue
            }
            let where_ = "line \(tag.line)"
            switch name {
            case "node", "way", "relation":
                guard currentKind == nil else {
                    throw ImportError(element: where_, reason: "<\(name)> inside <\(currentKind!)>")
                }
                guard let idText = tag.attributes["id"], let id = Int64(idText) else {
                    throw ImportError(element: where_, reason: "<\(name)> without a valid id")
                }
                currentKind = name
                currentID = id
                currentLine = tag.line
                // JOSM files keep deleted elements with action="delete"; history files use visible="false".
                currentSkip = tag.attributes["action"] == "delete" || tag.attributes["visible"] == "false"
                tags = [:]
                refs = []
                members = []
                if name == "node" {
                    guard let la = tag.attributes["lat"].flatMap(Double.init), let lo = tag.attributes["lon"].flatMap(Double.init),
                        GeoCoordinate(latitude: la, longitude: lo).isValid
                    else {
                        if currentSkip { break }
                        throw ImportError(element: "node \(id)", reason: "missing or invalid lat/lon (line \(tag.line))")
                    }
                    lat = la
                    lon = lo
                }
                if tag.selfClosing { finish(&doc) }
            case "tag":
                guard currentKind != nil else { continue }
                guard let k = tag.attributes["k"], let v = tag.attributes["v"] else {
                    throw ImportError(element: "\(currentKind!) \(currentID)", reason: "<tag> without k or v (line \(tag.line))")
                }
                tags[k] = v
            case "nd":
                guard currentKind == "way" else {
                    throw ImportError(element: where_, reason: "<nd> outside a way")
                }
                guard let r = tag.attributes["ref"].flatMap({ Int64($0) }) else {
                    throw ImportError(element: "way \(currentID)", reason: "<nd> without a valid ref (line \(tag.line))")
                }
                refs.append(r)
            case "member":
                guard currentKind == "relation" else {
                    throw ImportError(element: where_, reason: "<member> outside a relation")
                }
                guard let type = tag.attributes["type"], let r = tag.attributes["ref"].flatMap({ Int64($0) }) else {
                    throw ImportError(element: "relation \(currentID)", reason: "<member> without type or a valid ref (line \(tag.line))")
                }
                members.append(Member(type: type, ref: r, role: tag.attributes["role"] ?? ""))
            default:
                continue  // bounds, meta, note, changeset: nothing the city model needs
            }
        }
        return doc
    }
}
