/// Ids in paths (`/api/cameras/{id}`) and query strings: plain decimal digits, positive, within
/// ``InputLimits/ids``; anything else (`1e19`, `-1`, `0x10`, 20 digits, 100 kB) is no id.
public enum PathID {
    public static func parse(_ text: String?) -> Int64? {
        guard let text, !text.isEmpty, text.utf8.count <= 16, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let id = Int64(text), InputLimits.ids.contains(id) else { return nil }
        return id
    }
}
