// Fuzz target "json": request input parsing (APIInput), as every HTTP route uses it: a JSON body
// through JSONValue.parse, then every typed accessor of JSONFields on every member (and nested
// objects); the string members also as a query string through QueryFields (ids, numbers, times,
// time ranges), RFC3339 and Time90k, and PathID. Never traps; a parsed document is at most
// JSONValue.maximumDepth deep.
@testable import APIInput

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    guard let value = JSONValue.parse(bytes) else { return 0 }
    guard case .object(let object) = value else { return 0 }
    var fields = JSONFields(object)
    readAll(&fields, depth: 0)

    var pairs: [(String, String)] = []
    for (key, member) in object.sorted(by: { $0.key < $1.key }) {
        if case .string(let text) = member {
            pairs.append((key, text))
            _ = RFC3339.parse(text)
            if let micros = RFC3339.parseMicros(text) { _ = RFC3339.format(micros: micros) }
            if let t = Time90k.parse(text) { _ = Time90k.format(t); _ = Time90k.fileStamp(t) }
            _ = PathID.parse(text)
        }
    }
    var query = QueryFields(pairs)
    for key in Set(pairs.map(\.0)).union(["id", "start", "end", "limit", "x"]).sorted() {
        _ = query.string(key)
        _ = query.integer(key, in: Int64.min...Int64.max)
        _ = query.integer(key, in: 0...1000)
        _ = query.id(key)
        _ = query.number(key, within: -1e9...1e9)
        _ = query.bool(key)
        _ = query.time90k(key)
    }
    _ = query.timeRange(required: false, maxSeconds: 86_400)
    _ = query.timeRange(required: true)
    return 0
}

private func readAll(_ fields: inout JSONFields, depth: Int) {
    fuzzRequire(depth <= JSONValue.maximumDepth, "a document deeper than the limit was parsed")
    let keys = fields.object.keys.sorted() + ["id", "start", "end", "name"]
    for key in keys {
        _ = fields.has(key)
        _ = fields.string(key, allowNull: true)
        _ = fields.text(key)
        _ = fields.number(key)
        _ = fields.number(key, within: -90...90)
        _ = fields.integer(key, in: Int64.min...Int64.max)
        _ = fields.integer(key, in: -5...5)
        _ = fields.id(key)
        _ = fields.time90k(key)
        _ = fields.bool(key)
        _ = fields.strings(key, maxCount: 100)
        _ = fields.object(key)
        _ = fields.nested(key) { readAll(&$0, depth: depth + 1) }
    }
    fields.require("id", "name")
    fields.rejectUnknown(["id", "name"])
}
